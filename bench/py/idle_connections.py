#!/usr/bin/env python3
"""Opens N TCP connections to HOST:PORT, says hello on each and reads its first line (Switchboard's
demo backend answers with its name), so every connection is relayed end to end before it counts;
prints "open N", then holds them, idle, until stdin closes.

  idle_connections.py HOST PORT N
"""
import resource
import socket
import sys


def main(host, port, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held = []
    for i in range(n):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"hello\n")
        held.append(s)
    for i, s in enumerate(held):
        line = b""
        while not line.endswith(b"\n"):
            chunk = s.recv(64)
            if not chunk:
                raise SystemExit(f"connection {i} to {host}:{port} closed before its greeting")
            line += chunk
    print(f"open {len(held)}", flush=True)
    sys.stdin.read()
    for s in held:
        s.close()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
