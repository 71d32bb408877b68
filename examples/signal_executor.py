"""A small signal executor: fire a burst of entries, then close the position reduce-only.

Runs against the embedded simulator by default (no keys, nothing leaves the machine):

    python examples/signal_executor.py

Against the testnet, with your own keys in the environment (never in code):

    BINANCE_API_KEY=... BINANCE_API_SECRET=... python examples/signal_executor.py --testnet
"""

from __future__ import annotations

import argparse
import asyncio
import os
from decimal import Decimal

from binance_async import BinanceError, Order, UMFutures


async def execute(client: UMFutures, signals: int) -> None:
    """Fire ``signals`` entries at once, then flatten with one reduce-only order."""
    info = await client.symbol_info("BTCUSDT")
    qty = Decimal("0.003").quantize(info.step_size)

    async def entry(n: int) -> Order | BinanceError:
        try:
            return await client.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="MARKET",
                quantity=qty,
                new_client_order_id=f"entry-{n}",
            )
        except BinanceError as exc:  # a definite refusal: the order does not exist
            return exc

    results = await asyncio.gather(*(entry(n) for n in range(signals)))
    placed = [r for r in results if isinstance(r, Order)]
    print(f"{len(placed)}/{signals} entries placed; {client.stats.reconciliations} settled")
    position = sum((p.position_amt for p in await client.position_risk("BTCUSDT")), Decimal(0))
    if position > 0:
        exit_order = await client.new_order(
            symbol="BTCUSDT",
            side="SELL",
            type="MARKET",
            quantity=position,
            reduce_only=True,
            new_client_order_id="exit-1",
            new_order_resp_type="RESULT",
        )
        print(f"closed {position} BTCUSDT: {exit_order.status}")
    print(f"clock offset {client.clock.offset_ms:+.1f} ms; limits {client.limits}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--testnet", action="store_true")
    parser.add_argument("--signals", type=int, default=20)
    args = parser.parse_args()
    if args.testnet:
        async with UMFutures(
            os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"], testnet=True
        ) as client:
            await execute(client, args.signals)
        return
    from binance_async.testing import Simulator

    async with Simulator() as sim:
        creds = sim.new_credentials("ed25519")
        async with UMFutures(
            creds.api_key, private_key=creds.private_key_pem, base_url=sim.base_url
        ) as client:
            await execute(client, args.signals)


if __name__ == "__main__":
    asyncio.run(main())
