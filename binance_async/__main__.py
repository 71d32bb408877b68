"""Command line: ``python -m binance_async demo | simulator | clock``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from decimal import Decimal

from . import UMFutures
from .errors import APIError, BinanceError

__all__ = ["main"]


async def _demo(signals: int, concurrency: int) -> int:
    """Start the simulator on loopback and drive a small signal executor through it."""
    from .testing import Simulator

    async with Simulator(seed=7) as sim:
        # The exchange's clock runs 1.7 s ahead of this machine: a client stamping with its
        # own clock would be refused (-1021) on every signed request.
        sim.clock.set_offset_ms(1700)
        creds = sim.new_credentials("ed25519")
        print(f"simulator  {sim.base_url} (exchange clock +1700 ms from this machine)")
        async with UMFutures(
            creds.api_key, private_key=creds.private_key_pem, base_url=sim.base_url
        ) as client:
            print(
                f"clock      offset {client.clock.offset_ms:+.1f} ms, "
                f"uncertainty +-{client.clock.uncertainty_ms:.1f} ms after the initial sync"
            )
            info = await client.exchange_info()
            print(f"exchange   {len(info.symbols)} symbols, limits {client.limits}")

            # A burst of signals, some of which meet the exchange's real faults.
            sim.inject_next("unknown_executed", count=2)
            sim.inject_next("unavailable", count=1)
            semaphore = asyncio.Semaphore(concurrency)
            placed: list[str] = []
            failed: list[str] = []

            async def execute(n: int) -> None:
                side = "BUY" if n % 2 == 0 else "SELL"
                async with semaphore:
                    try:
                        if n % 3 == 0:
                            order = await client.new_order(
                                symbol="BTCUSDT",
                                side=side,
                                type="LIMIT",
                                quantity=Decimal("0.010"),
                                price=Decimal("49000.0") if side == "BUY" else Decimal("51000.0"),
                                new_client_order_id=f"demo-{n}",
                            )
                        else:
                            order = await client.new_order(
                                symbol="BTCUSDT",
                                side=side,
                                type="MARKET",
                                quantity=Decimal("0.005"),
                                new_client_order_id=f"demo-{n}",
                            )
                    except APIError as exc:
                        failed.append(f"demo-{n}: {exc}")
                        return
                mark = " (settled by query)" if order.reconciled else ""
                placed.append(f"{order.client_order_id} {order.type} {order.side} {order.status}")
                if mark:
                    print(f"reconciled {order.client_order_id} -> {order.status}{mark}")

            await asyncio.gather(*(execute(n) for n in range(signals)))
            print(f"orders     {len(placed)} placed, {len(failed)} refused")

            # The exchange's clock steps back 1.5 s: stamps now run 1.5 s ahead of it, so the
            # next signed request is refused once (-1021), repaired (resync, re-sign, resend),
            # and the caller never sees it.
            sim.clock.jump(-1500)
            resting = await client.open_orders("BTCUSDT")
            for order in resting:
                await client.cancel_order(symbol="BTCUSDT", order_id=order.order_id)
            print(f"cancelled  {len(resting)} resting LIMIT orders after a -1500 ms clock step")
            positions = [p for p in await client.position_risk() if p.position_amt]
            for p in positions:
                print(f"position   {p.symbol} {p.position_amt} @ {p.entry_price}")
            print(
                f"clock      offset {client.clock.offset_ms:+.1f} ms, "
                f"uncertainty +-{client.clock.uncertainty_ms:.1f} ms, "
                f"resyncs {client.clock.resyncs}, -1021 repaired {client.stats.timestamp_resends}"
            )
            stats = client.stats
            print(
                f"recovery   {stats.reconciliations} unknown outcomes settled, "
                f"{stats.resubmissions} resubmitted, {stats.backoffs} backoffs"
            )
            print(f"limits     {client.limits}")
        duplicates = [cid for cid, n in sim.audit.accepted.items() if n > 1]
        print(
            f"exchange   saw {len(sim.audit.requests)} requests, "
            f"{sim.audit.status_count(429)} x 429, {sim.audit.status_count(418)} x 418, "
            f"{len(duplicates)} duplicated orders"
        )
        ok = not failed and not duplicates and sim.audit.status_count(429) == 0
        print("demo       OK" if ok else "demo       FAILED")
        return 0 if ok else 1


async def _clock(exchange: str, base_url: str | None, samples: int) -> int:
    """Estimate the offset to ``exchange``'s clock and print it."""
    import aiohttp

    from .clock import ServerClock
    from .exchanges import EXCHANGES

    async with aiohttp.ClientSession() as session:
        clock = ServerClock.for_exchange(exchange, session=session, base_url=base_url)
        for _ in range(samples):
            await clock.sample()
            await asyncio.sleep(0.2)
        spec = EXCHANGES[exchange]
        print(f"exchange        {exchange} ({base_url or spec.base_url}{spec.path})")
        print(f"offset          {clock.offset_ms:+.1f} ms (the exchange minus this machine)")
        print(f"uncertainty     +-{clock.uncertainty_ms:.1f} ms")
        print(f"window          {spec.window_ms} ms; timestamps as {spec.format(clock.now_ms())}")
        print(f"local wall time {time.time():.3f}")
    return 0 if clock.synced else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m binance_async")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a signal executor against the embedded simulator")
    demo.add_argument("--signals", type=int, default=40)
    demo.add_argument("--concurrency", type=int, default=20)
    from .testing.cli import add_arguments as add_simulator_arguments
    from .testing.cli import run as run_simulator

    sim = sub.add_parser("simulator", help="serve the embedded exchange simulator")
    add_simulator_arguments(sim)
    clock = sub.add_parser("clock", help="estimate the offset to an exchange's clock")
    clock.add_argument(
        "--exchange",
        default="binance-usdm",
        choices=("binance-usdm", "binance-spot", "bybit", "okx", "bitget", "kucoin"),
        help="whose clock (default binance-usdm)",
    )
    clock.add_argument("--base-url", help="the exchange's base URL (default: its production)")
    clock.add_argument("--samples", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "demo":
            return asyncio.run(_demo(args.signals, args.concurrency))
        if args.command == "simulator":
            return run_simulator(args)
        return asyncio.run(_clock(args.exchange, args.base_url, args.samples))
    except KeyboardInterrupt:
        return 130
    except BinanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
