#!/usr/bin/env python3
"""Waits until HOST:PORT accepts a connection and answers "hello" with a line; prints the
milliseconds since START_NS (a time.time_ns() value), polling every 2 ms for at most LIMIT seconds.

  first_connect.py HOST PORT START_NS LIMIT
"""
import socket
import sys
import time


def main(host, port, start_ns, limit):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                s.sendall(b"hello\n")
                if s.recv(64):
                    print("%.1f" % ((time.time_ns() - start_ns) / 1e6))
                    return
        except OSError:
            pass
        time.sleep(0.002)
    raise SystemExit(f"{host}:{port} not served within {limit} s")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
