"""Budget utilisation under a burst, and the limiter's CPU cost per request.

Part A: 200 tasks hammer the simulator (loopback, in this process) for a fixed time with
1-second weight windows; the simulator's own accounting reports the weight it counted per
window. Utilisation = counted / limit over the windows the burst fully covered; target at
least 95 % with zero 429. Part B: admit + observe on the limiter alone, with realistic
response headers, timed over a fixed number of iterations.

    python benchmarks/bench_limits.py [--seconds 8] [--limit 300]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from multidict import CIMultiDict, CIMultiDictProxy

from binance_async import UMFutures
from binance_async.limits import Limiter
from binance_async.ratelimits import RateLimit
from binance_async.testing import RateLimitConfig, Simulator


async def utilisation(seconds: float, limit: int) -> None:
    limits = RateLimitConfig(
        weight_limit=limit,
        weight_interval="SECOND",
        weight_interval_num=1,
        order_limits=((10**9, "SECOND", 10), (10**9, "MINUTE", 1)),
    )
    async with Simulator(rate_limits=limits) as sim:
        creds = sim.new_credentials("hmac")
        async with UMFutures(creds.api_key, creds.api_secret, base_url=sim.base_url) as client:
            await client.exchange_info()
            start_ms = sim.clock.now_ms()
            stop = time.monotonic() + seconds
            calls = 0

            async def worker(n: int) -> None:
                nonlocal calls
                while time.monotonic() < stop:
                    if n % 3 == 0:
                        await client.depth("BTCUSDT", limit=5)  # weight 2
                    else:
                        await client.ping()  # weight 1
                    calls += 1

            await asyncio.gather(*(worker(n) for n in range(200)))
            end_ms = sim.clock.now_ms()
        per_window = {
            start: used
            for (_, start), used in sim.audit.max_weight_per_window().items()
            if start >= start_ms - start_ms % 1000 + 1000 and start + 1000 <= end_ms - 1000
        }
        used = sum(per_window.values())
        share = used / (limit * len(per_window)) if per_window else 0.0
        print("   per window:", [per_window[k] for k in sorted(per_window)])
        print(f"A. burst: {calls} calls from 200 tasks over {seconds:.0f} s, limit {limit}/1s")
        print(
            f"   full windows: {len(per_window)}, weight counted {used}, "
            f"budget used {share:.1%}, max in a window {max(per_window.values())}"
        )
        print(
            f"   429 seen by the exchange: {sim.audit.status_count(429)}, "
            f"418: {sim.audit.status_count(418)}"
        )


class FixedClock:
    def __init__(self) -> None:
        self.t = 1_700_000_000_000

    def now_ms(self) -> int:
        self.t += 1
        return self.t

    @property
    def uncertainty_ms(self) -> float:
        return 1.0


async def limiter_cpu(iterations: int) -> None:
    huge = 10**12  # measure the bookkeeping, never a wait
    limiter = Limiter(
        clock=FixedClock(),
        limits=(
            RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=huge),
            RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=huge),
            RateLimit(kind="ORDERS", interval="MINUTE", interval_num=1, limit=huge),
        ),
    )
    headers = CIMultiDictProxy(
        CIMultiDict(
            {
                "Content-Type": "application/json",
                "X-MBX-USED-WEIGHT-1M": "10",
                "X-MBX-ORDER-COUNT-10S": "1",
                "X-MBX-ORDER-COUNT-1M": "1",
            }
        )
    )
    for label, weight, orders in (("read (weight 1)", 1, 0), ("order (2 order windows)", 0, 1)):
        cpu0 = time.process_time()
        for _ in range(iterations):
            reservation = await limiter.admit(weight=weight, orders=orders)
            limiter.observe(reservation, status=200, counts=headers)
        cpu = (time.process_time() - cpu0) / iterations * 1e6
        print(f"B. limiter admit + observe, {label}: {cpu:.1f} us CPU per request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--iterations", type=int, default=50_000)
    args = parser.parse_args()
    asyncio.run(utilisation(min(args.seconds, 60.0), args.limit))
    asyncio.run(limiter_cpu(min(args.iterations, 1_000_000)))


if __name__ == "__main__":
    main()
