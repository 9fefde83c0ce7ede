#!/usr/bin/env python3
"""Seed 002's long-lived imbalance, measured at the client: who answered each request.

  imbalance_client.py HOST:PORT CLIENTS REQUESTS REPETITIONS [WARMUP_REPETITIONS]

Each repetition starts CLIENTS threads at once; each opens ONE keep-alive HTTP/1.1 connection to
HOST:PORT and sends REQUESTS GETs on it (or, when REQUESTS is a comma-separated list, client k sends
the k-th number: uneven clients), one after the other, tallying the body (the endpoint's
name, "e1" ... "e3"). A connection that is closed under a client is not reopened: the client stops
and counts an error (reconnects, a change of local port, checks that none slipped through).
Connections are fresh in every repetition. The first WARMUP_REPETITIONS (default 1) are not
counted. Prints one JSON object: per repetition the requests each endpoint answered and, per
connection, the endpoints it reached; and a summary:

  max_share    the busiest endpoint's share of a repetition's requests (1/N is even, 1.0 all on one)
  cv           coefficient of variation (population) of the per-endpoint counts
  idle_reps    repetitions in which some endpoint answered nothing
  per_conn     endpoints one connection's requests reached, mean over all connections (1 = pinned)

Every socket operation has a 5 s timeout, so a stuck target ends the run instead of hanging it.
"""
import http.client
import json
import statistics
import sys
import threading

ENDPOINTS = ["e1", "e2", "e3"]


def client(host, port, requests, barrier, out, i):
    seen = {}
    errors = 0
    ports = set()
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        barrier.wait(10)
        conn.connect()
        ports.add(conn.sock.getsockname()[1])
        for _ in range(requests):
            conn.request("GET", "/", headers={"Host": "imbalance"})
            r = conn.getresponse()
            body = r.read().decode().strip()
            seen[body] = seen.get(body, 0) + 1
            if r.status != 200 or r.will_close or conn.sock is None:
                errors += 1
                break
            ports.add(conn.sock.getsockname()[1])
    except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as e:
        print(f"client {i}: {e!r}", file=sys.stderr)
        errors += 1
    finally:
        conn.close()
    out[i] = {"seen": seen, "errors": errors, "connections": len(ports)}


def repetition(host, port, clients, requests):
    out = [None] * clients
    barrier = threading.Barrier(clients)
    threads = [threading.Thread(target=client, args=(host, port, requests[i], barrier, out, i), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    out = [o or {"seen": {}, "errors": 1, "connections": 0} for o in out]
    counts = {e: sum(o["seen"].get(e, 0) for o in out) for e in ENDPOINTS}
    return {
        "counts": counts,
        "per_connection": [sorted(o["seen"]) for o in out],
        "errors": sum(o["errors"] for o in out),
        "reconnects": sum(max(0, o["connections"] - 1) for o in out),
        "unknown": sum(n for o in out for e, n in o["seen"].items() if e not in ENDPOINTS),
    }


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    clients, reps = int(sys.argv[2]), int(sys.argv[4])
    requests = [int(n) for n in sys.argv[3].split(",")]
    if len(requests) == 1:
        requests *= clients
    if len(requests) != clients:
        raise SystemExit(f"REQUESTS names {len(requests)} clients, CLIENTS is {clients}")
    warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    for _ in range(warmup):
        repetition(host, int(port), clients, requests)
    runs = [repetition(host, int(port), clients, requests) for _ in range(reps)]
    max_share, cv = [], []
    for r in runs:
        c = list(r["counts"].values())
        total = sum(c)
        max_share.append(max(c) / total if total else None)
        cv.append(statistics.pstdev(c) / statistics.mean(c) if total else None)
    valid = [i for i, r in enumerate(runs) if sum(r["counts"].values())]
    conns = [len(p) for r in runs for p in r["per_connection"] if p]
    summary = {
        "max_share_median": statistics.median(max_share[i] for i in valid) if valid else None,
        "max_share_worst": max(max_share[i] for i in valid) if valid else None,
        "cv_median": statistics.median(cv[i] for i in valid) if valid else None,
        "idle_reps": sum(1 for r in runs if min(r["counts"].values()) == 0),
        "per_conn": statistics.mean(conns) if conns else None,
        "totals": {e: sum(r["counts"][e] for r in runs) for e in ENDPOINTS},
        "errors": sum(r["errors"] for r in runs),
        "reconnects": sum(r["reconnects"] for r in runs),
        "unknown": sum(r["unknown"] for r in runs),
        "reps": reps,
    }
    json.dump({"summary": summary, "repetitions": runs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
