#!/usr/bin/env python3
"""Seed 002's imbalance, measured at the endpoints.

Starts three TCP endpoints that count their concurrent connections, waits until every given
Switchboard instance accepts on its address, then runs CLIENTS client tasks for DURATION seconds:
client k goes through instance k % N and loops over connections that are long-held (seconds) with
probability LONG_P and short (tens of ms) otherwise. Every 50 ms it samples the endpoints' counts.
Prints one JSON object: mean and peak of max/min concurrent connections per endpoint (min taken as
at least 1) and of max-min, over the samples taken while load ran. Bounded in time; seeded.
"""
import asyncio
import json
import random
import sys
import time

ENDPOINTS = [("127.0.8.61", 9100), ("127.0.8.62", 9100), ("127.0.8.63", 9100)]


async def main():
    instances = [a.split(":") for a in sys.argv[1].split(",")]
    duration = float(sys.argv[2])
    clients = int(sys.argv[3])
    long_p = float(sys.argv[4])
    seed = int(sys.argv[5])
    counts = [0] * len(ENDPOINTS)
    totals = [0] * len(ENDPOINTS)

    def handler(i):
        async def handle(reader, writer):
            counts[i] += 1
            totals[i] += 1
            try:
                writer.write(b"ok\n")
                await writer.drain()
                while await reader.read(4096):
                    pass
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                counts[i] -= 1
                writer.close()
        return handle

    servers = [await asyncio.start_server(handler(i), h, p, backlog=1024) for i, (h, p) in enumerate(ENDPOINTS)]
    print("endpoints up", file=sys.stderr, flush=True)

    deadline = time.monotonic() + 90
    for host, port in instances:
        while True:
            try:
                r, w = await asyncio.open_connection(host, int(port))
                await r.readline()
                w.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"instance {host}:{port} never accepted")
                await asyncio.sleep(0.2)
    # Let the probes' connections close everywhere before measuring.
    await asyncio.sleep(1.5)

    rng = random.Random(seed)
    stop_at = time.monotonic() + duration
    failures = [0]

    async def client(k):
        host, port = instances[k % len(instances)]
        r = random.Random(rng.random())
        while time.monotonic() < stop_at:
            hold = r.uniform(2.0, 5.0) if r.random() < long_p else r.uniform(0.02, 0.1)
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 3)
                await asyncio.wait_for(reader.readline(), 3)
                await asyncio.sleep(min(hold, max(0.0, stop_at - time.monotonic())))
                writer.close()
            except (OSError, asyncio.TimeoutError):
                failures[0] += 1
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.01)

    samples = []

    async def sampler():
        await asyncio.sleep(2.0)  # past the ramp-up
        while time.monotonic() < stop_at - 0.5:
            c = list(counts)
            samples.append((max(c), min(c)))
            await asyncio.sleep(0.05)

    await asyncio.gather(sampler(), *[client(k) for k in range(clients)])
    for s in servers:
        s.close()
    ratios = [mx / max(mn, 1) for mx, mn in samples]
    spreads = [mx - mn for mx, mn in samples]
    print(json.dumps({
        "samples": len(samples),
        "mean_ratio": round(sum(ratios) / len(ratios), 2),
        "peak_ratio": round(max(ratios), 2),
        "mean_spread": round(sum(spreads) / len(spreads), 2),
        "peak_spread": max(spreads),
        "mean_concurrent": round(sum(mx for mx, _ in samples) / len(samples), 1),
        "connections": totals,
        "failures": failures[0],
    }))


asyncio.run(main())
