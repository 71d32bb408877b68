"""Resident memory of a client that tracks many orders and a day of clock samples.

    python benchmarks/bench_memory.py [--orders 10000]

A UMFutures client with its user data stream open (the account mirror tracks every order the
stream reports) places ``--orders`` MARKET orders against the simulator (in its own process),
then as many again, and takes a day of clock samples (one a minute, the default resync
interval, 1,440 round trips). The resident size (VmRSS) is read after each step: bounded
means the second batch of orders and the day of samples add little. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import secrets
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_peers import SimProcess, fast_limits  # noqa: E402

from binance_async import UMFutures  # noqa: E402

CONCURRENCY = 50
TIME_LIMIT_S = 600


def rss_mib() -> float:
    """This process's resident size, MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def place(client: UMFutures, first: int, count: int) -> None:
    """``count`` MARKET orders from 50 tasks, buys and sells alternating."""
    indexes = iter(range(first, first + count))
    qty = Decimal("0.003")

    async def worker() -> None:
        for i in indexes:
            await client.new_order(
                symbol="BTCUSDT",
                side="BUY" if i % 2 == 0 else "SELL",
                type="MARKET",
                quantity=qty,
                new_client_order_id=f"mem-{i}",
            )

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def measure(base: str, streams: str, api_key: str, secret: str, orders: int) -> None:
    steps: list[tuple[str, float]] = []

    def step(name: str) -> None:
        gc.collect()
        steps.append((name, rss_mib()))

    step("before the client")
    async with asyncio.timeout(TIME_LIMIT_S):
        async with UMFutures(api_key, secret, base_url=base, stream_url=streams) as client:
            await client.exchange_info()
            async with client.user_stream() as user:
                step("client open, user stream open")
                await place(client, 0, orders)
                await asyncio.sleep(1)  # the stream's last events arrive
                step(f"{orders:,} orders tracked")
                await place(client, orders, orders)
                await asyncio.sleep(1)
                step(f"{2 * orders:,} orders tracked")
                tracked = len(user.orders)
                clock = client.clock
                for _ in range(1440):
                    await clock.resync()
                step("and a day of clock samples (1,440)")
                print(f"orders in the account mirror: {tracked:,}; {clock!r}")
    print("| step | resident MiB |")
    print("|---|---:|")
    for name, mib in steps:
        print(f"| {name} | {mib:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    api_key, secret = secrets.token_hex(32), secrets.token_hex(32)
    with SimProcess(api_key, secret, *fast_limits()) as sim:
        streams = sim.base_url.replace("http://", "ws://", 1)
        asyncio.run(measure(sim.base_url, streams, api_key, secret, args.orders))


if __name__ == "__main__":
    main()
