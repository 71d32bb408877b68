"""Client CPU per stream message: binance_async's typed events vs a raw aiohttp loop.

A feed server runs in a separate process on 127.0.0.1 and pushes a busy feed at a steady pace
(bursts of 80 messages every 2 ms per connection, which each client keeps up with, so all see
the same batches; a flood would reward the slowest reader with larger batches): aggTrade on
several symbols over ``/market``, bookTicker and depth@100ms on the same symbols over
``/public`` (two connections, combined-stream messages as the exchange sends them). Each case
connects, takes ``--messages`` messages and stops; the client's own CPU time
(``time.process_time``, the server is elsewhere) is divided by the messages.

- ``raw``: ``session.ws_connect`` on both URLs, ``async for msg in ws: orjson.loads(msg.data)``
  (the floor: receive and decode, nothing else);
- ``binance_async``: ``client.stream(...)``, ``async for event in stream`` with typed events
  (AggTrade, BookTicker, DepthUpdate), the consumer reading one field of each (the trade id,
  the update id) so nothing is optimised away;
- ``python-binance``, when importable: its futures multiplex sockets on the same feed (ccxt is
  not run: see the README).

Rounds alternate the cases; the medians are reported, and the ratio to ``raw``.

    python benchmarks/bench_streams.py [--messages 100000] [--rounds 3] [--symbols 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from binance_async import UMFutures

SYMBOLS = ("btcusdt", "ethusdt", "solusdt", "bnbusdt", "xrpusdt", "dogeusdt", "adausdt", "ltcusdt")
CASE_TIME_LIMIT_S = 120.0
#: The feed's pace per connection: BURST messages every BURST_EVERY_S (about 40,000 a second,
#: which every client here keeps up with, so each sees the same batches).
BURST = 80
BURST_EVERY_S = 0.002


# -- the feed server (its own process) --------------------------------------------------------


def _messages(route: str, symbols: tuple[str, ...], count: int) -> list[str]:
    """``count`` combined-stream messages of ``route``, ids consecutive per symbol."""
    rnd = random.Random(7)
    agg = dict.fromkeys(symbols, 5_500_000_000)
    upd = dict.fromkeys(symbols, 9_000_000_000)
    out: list[str] = []
    for i in range(count):
        sym = symbols[i % len(symbols)]
        up = sym.upper()
        now = 1_700_000_000_000 + i
        if route == "market":
            agg[sym] += 1
            data: dict[str, Any] = {
                "e": "aggTrade",
                "E": now,
                "s": up,
                "a": agg[sym],
                "p": f"{50_000 + rnd.random() * 10:.2f}",
                "q": f"{rnd.random():.3f}",
                "f": agg[sym] * 2,
                "l": agg[sym] * 2,
                "T": now - 2,
                "m": rnd.random() < 0.5,
            }
            stream = f"{sym}@aggTrade"
        elif i % 2:
            upd[sym] += 1
            data = {
                "e": "bookTicker",
                "u": upd[sym],
                "E": now,
                "T": now - 1,
                "s": up,
                "b": f"{50_000 + rnd.random():.2f}",
                "B": f"{rnd.random() * 5:.3f}",
                "a": f"{50_001 + rnd.random():.2f}",
                "A": f"{rnd.random() * 5:.3f}",
            }
            stream = f"{sym}@bookTicker"
        else:
            previous = upd[sym]
            upd[sym] += 4
            levels = [[f"{50_000 - k * 0.1:.2f}", f"{rnd.random():.3f}"] for k in range(4)]
            data = {
                "e": "depthUpdate",
                "E": now,
                "T": now - 1,
                "s": up,
                "U": previous + 1,
                "u": upd[sym],
                "pu": previous,
                "b": levels,
                "a": [[f"{50_001 + k * 0.1:.2f}", q] for k, (_, q) in enumerate(levels)],
            }
            stream = f"{sym}@depth@100ms"
        out.append(orjson.dumps({"stream": stream, "data": data}).decode())
    return out


def serve(port: int, symbols: tuple[str, ...], count: int, ready: Any) -> None:
    """Serve the feed: each WebSocket gets ``count`` messages of its route, then idles."""
    feeds = {route: _messages(route, symbols, count) for route in ("market", "public")}

    async def time_(request: web.Request) -> web.Response:
        return web.json_response({"serverTime": int(time.time() * 1000)})

    async def stream(request: web.Request) -> web.WebSocketResponse:
        route = "public" if request.path.startswith("/public") else "market"
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        try:
            for i, text in enumerate(feeds[route]):
                await ws.send_str(text)
                if i % BURST == BURST - 1:
                    await asyncio.sleep(BURST_EVERY_S)  # a steady busy feed, not a flood
            async for _ in ws:  # idle until the client leaves
                pass
        except ConnectionError:
            pass  # the client left mid-feed
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/fapi/v1/time", time_)
        app.router.add_get("/{route}/stream", stream)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


# -- the cases --------------------------------------------------------------------------------


def _names(symbols: tuple[str, ...]) -> list[str]:
    names = [f"{s}@aggTrade" for s in symbols]
    names += [f"{s}@bookTicker" for s in symbols] + [f"{s}@depth@100ms" for s in symbols]
    return names


async def case_raw(port: int, symbols: tuple[str, ...], total: int) -> float:
    """The floor: receive and orjson-decode every message, nothing else."""
    names = _names(symbols)
    urls = [
        f"ws://127.0.0.1:{port}/market/stream?streams=" + "/".join(n for n in names if "agg" in n),
        f"ws://127.0.0.1:{port}/public/stream?streams="
        + "/".join(n for n in names if "agg" not in n),
    ]
    done = asyncio.Event()
    seen = 0

    async def read(session: aiohttp.ClientSession, url: str) -> None:
        nonlocal seen
        async with session.ws_connect(url) as ws:
            async for msg in ws:
                orjson.loads(msg.data)
                seen += 1
                if seen >= total:
                    done.set()
                    return

    async with aiohttp.ClientSession() as session:
        start = time.process_time()
        tasks = [asyncio.create_task(read(session, url)) for url in urls]
        await done.wait()
        cpu = time.process_time() - start
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return cpu / seen


async def case_binance_async(port: int, symbols: tuple[str, ...], total: int) -> float:
    """``client.stream``: typed events, one field read from each."""
    names = _names(symbols)
    base = f"http://127.0.0.1:{port}"
    client = UMFutures(base_url=base, stream_url=f"ws://127.0.0.1:{port}")
    async with client, client.stream(*names) as stream:
        start = time.process_time()
        seen = 0
        check = 0
        async for event in stream:
            check ^= event.raw.get("u") or event.raw["a"]
            seen += 1
            if seen >= total:
                break
        cpu = time.process_time() - start
        assert stream.stats.dropped == 0 and stream.stats.gaps == 0, stream.stats
    return cpu / seen


async def case_python_binance(port: int, symbols: tuple[str, ...], total: int) -> float:
    """python-binance's futures multiplex sockets (``/market`` and ``/public``), decoded
    messages taken from its queue."""
    from binance import AsyncClient, BinanceSocketManager  # type: ignore[import-untyped]

    names = _names(symbols)
    client = AsyncClient()
    try:
        manager = BinanceSocketManager(client, max_queue_size=10 * total)
        manager.FSTREAM_URL = f"ws://127.0.0.1:{port}/"
        sockets = [
            manager.futures_multiplex_socket([n for n in names if "agg" in n], category="market"),
            manager.futures_multiplex_socket(
                [n for n in names if "agg" not in n], category="public"
            ),
        ]
        done = asyncio.Event()
        seen = 0

        async def read(socket: Any) -> None:
            nonlocal seen
            async with socket as stream:
                while seen < total:
                    msg = await stream.recv()
                    seen += 1
                    if msg.get("e") == "error":
                        raise RuntimeError(msg)
                done.set()

        start = time.process_time()
        tasks = [asyncio.create_task(read(socket)) for socket in sockets]
        await done.wait()
        cpu = time.process_time() - start
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await client.close_connection()
    return cpu / seen


CASES: dict[str, Callable[[int, tuple[str, ...], int], Awaitable[float]]] = {
    "raw": case_raw,
    "binance_async": case_binance_async,
}
try:
    import binance  # type: ignore[import-untyped]  # noqa: F401
    import websockets  # noqa: F401
except ImportError:  # python-binance is not installed: its case is left out
    pass
else:
    CASES["python-binance"] = case_python_binance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--symbols", type=int, default=6)
    parser.add_argument("--port", type=int, default=18931)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    args = parser.parse_args()
    symbols = SYMBOLS[: args.symbols]
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve, args=(args.port, symbols, args.messages, ready), daemon=True
    )
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the feed server did not start")
        results: dict[str, list[float]] = {name: [] for name in CASES}
        order = list(CASES)
        for round_ in range(args.rounds):
            for name in order if round_ % 2 == 0 else order[::-1]:  # alternate who goes first
                case = CASES[name]
                run = asyncio.wait_for(case(args.port, symbols, args.messages), CASE_TIME_LIMIT_S)
                results[name].append(asyncio.run(run) * 1e6)
        medians = {name: statistics.median(values) for name, values in results.items()}
    finally:
        server.terminate()
        server.join(5)
    if args.json:
        print(json.dumps(medians))
        return
    if args.verbose:
        for name, values in results.items():
            print(f"  {name:15s} rounds: " + " ".join(f"{v:.2f}" for v in values))
    floor = medians["raw"]
    print(
        f"{args.messages} messages, {len(symbols)} symbols, 2 connections, "
        f"median of {args.rounds} rounds"
    )
    for name, value in medians.items():
        print(f"  {name:15s} {value:6.2f} us CPU/message  {value / floor:5.2f}x raw")


if __name__ == "__main__":
    sys.exit(main())
