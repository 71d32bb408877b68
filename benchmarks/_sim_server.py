"""Run the simulator in its own process for a benchmark: ``_sim_server.py API_KEY SECRET``.

Limits are set far above any benchmark's load (the request benchmarks measure CPU, not the
limiter); prints ``READY <base_url>`` once serving, and stops when stdin closes.
"""

from __future__ import annotations

import asyncio
import sys

from binance_async.testing import RateLimitConfig, Simulator


async def main(api_key: str, secret: str, weight_limit: int, interval_s: int) -> None:
    limits = RateLimitConfig(
        weight_limit=weight_limit,
        weight_interval="SECOND",
        weight_interval_num=interval_s,
        order_limits=((10**9, "SECOND", 10), (10**9, "MINUTE", 1)),
    )
    async with Simulator(rate_limits=limits, initial_balance_usdt=10**12) as sim:
        sim.register_key(api_key, hmac_secret=secret)
        print(f"READY {sim.base_url}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin


if __name__ == "__main__":
    weight = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    interval = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    asyncio.run(main(sys.argv[1], sys.argv[2], weight, interval))
