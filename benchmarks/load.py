"""Load benchmark of `kb serve`: concurrent clients on loopback for a bounded time.

Starts `kb serve --api-only` on a free port over the real index (or uses --url),
then for each client count sends the questions of eval/queries (English,
Chinese and mixed, in a fixed shuffled order) back to back from that many
concurrent clients for --seconds, and prints throughput, p50/p95/p99 latency
and the error count (any status other than 200, or a failed connection).

    python -m benchmarks.load                       # 1, 4 and 8 clients, 20 s each, hybrid
    python -m benchmarks.load --clients 8 --seconds 60 --mode bm25
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from search.evaluate import EVAL_DIR, load_queries

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_kb_serve(port: int, options: list[str]) -> subprocess.Popen:
    """`kb serve --port PORT OPTIONS` in a child process (its own interpreter: clients do not share its GIL);
    returns once /api/health answers."""
    command = [sys.executable, "-m", "search.cli", "serve", "--port", str(port), *options]
    log = open(os.devnull, "w")  # noqa: SIM115 — closed with the process
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kb serve exited with status {server.returncode}; run it by hand to see why")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("kb serve did not answer /api/health within 300 s")


def start_server(port: int, threads: int, max_pending: int) -> subprocess.Popen:
    """`kb serve --api-only` with THREADS search threads and MAX_PENDING admitted searches."""
    return start_kb_serve(port, ["--api-only", "--threads", str(threads), "--max-pending", str(max_pending)])


async def client(http: httpx.AsyncClient, queries: list[str], start: int, mode: str, until: float, latencies: list[float], errors: list[str]) -> None:
    i = start
    while time.perf_counter() < until:
        q = queries[i % len(queries)]
        i += 1
        sent = time.perf_counter()
        try:
            response = await http.get("/api/search", params={"q": q, "k": 5, "mode": mode})
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:80]}")
                continue
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append(time.perf_counter() - sent)


async def run(base: str, queries: list[str], clients: int, seconds: float, mode: str) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(http, queries, n * 97, mode, time.perf_counter() + 2, [], []) for n in range(clients)))  # warm-up
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(*(client(http, queries, 1000 + n * 97, mode, until, latencies, errors) for n in range(clients)))
        elapsed = time.perf_counter() - began
    ms = np.array(latencies) * 1000 if latencies else np.array([float("nan")])
    return {
        "clients": clients,
        "requests": len(latencies) + len(errors),
        "throughput": len(latencies) / elapsed,
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4,8", help="comma-separated client counts (default 1,4,8)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per client count (default 20)")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "bm25", "dense"])
    parser.add_argument("--threads", type=int, default=2, help="the server's search threads (default 2)")
    parser.add_argument("--url", help="benchmark a server that is already running instead of starting one")
    args = parser.parse_args()
    queries = [item.query.q for item in load_queries(EVAL_DIR)]
    random.Random(0).shuffle(queries)
    server = None
    base = args.url
    if base is None:
        port = free_port()
        server = start_server(port, args.threads, max_pending=256)
        base = f"http://127.0.0.1:{port}"
    try:
        health = httpx.get(f"{base}/api/health", timeout=10).json()
        print(f"server {base}: {health['passages']} passages, model {health['model']}, {health['threads']} search threads; "
              f"mode {args.mode}, {len(queries)} queries (en/zh/mixed), {os.cpu_count()} CPUs")
        print("| clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
        print("|---|---|---|---|---|---|---|")
        for clients in (int(c) for c in args.clients.split(",")):
            row = asyncio.run(run(base, queries, clients, args.seconds, args.mode))
            print(f"| {row['clients']} | {row['requests']} | {row['throughput']:.1f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['errors']} |"
                  + (f"  first error: {row['first_error']}" if row["errors"] else ""), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
