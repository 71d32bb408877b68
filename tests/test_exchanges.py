"""A server clock for every exchange a bot trades on: each reads its own documented answer,
refuses a failed one, and estimates the offset within half its best round trip."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from binance_async import MalformedAnswer, ServerClock
from binance_async.exchanges import EXCHANGES, format_timestamp

OFFSET_MS = 2_345.0
#: One-way delays, seconds: a slow request path, a fast answer path.
OUT_S, BACK_S = 0.012, 0.002


def answers(server_ms: int) -> dict[str, Any]:
    """Each exchange's documented answer (reference section 3) for one server time."""
    return {
        "binance-usdm": {"serverTime": server_ms},
        "binance-spot": {"serverTime": server_ms},
        "bybit": {
            "retCode": 0,
            "retMsg": "OK",
            "result": {"timeSecond": str(server_ms // 1000), "timeNano": f"{server_ms}123456"},
            "retExtInfo": {},
            "time": server_ms,
        },
        "okx": {"code": "0", "msg": "", "data": [{"ts": str(server_ms)}]},
        "bitget": {
            "code": "00000",
            "msg": "success",
            "requestTime": server_ms,
            "data": {"serverTime": str(server_ms)},
        },
        "kucoin": {"code": "200000", "msg": "success", "data": server_ms},
    }


Script = Callable[[str, int], Any]


@pytest.fixture
async def exchange_server() -> AsyncIterator[Callable[[str, Script | None], str]]:
    """A loopback server for every exchange (each under /<name>), its clock OFFSET_MS ahead,
    reading its clock after OUT_S and answering BACK_S later; a script may replace the
    answer. Gives the base URL of one exchange."""
    scripts: dict[str, Script | None] = {}

    def handler(name: str) -> Callable[[web.Request], Any]:
        async def handle(_: web.Request) -> web.Response:
            await asyncio.sleep(OUT_S)
            server_ms = int(time.time() * 1000 + OFFSET_MS)
            custom = scripts.get(name)
            payload = answers(server_ms)[name] if custom is None else custom(name, server_ms)
            await asyncio.sleep(BACK_S)
            return web.Response(body=orjson.dumps(payload), content_type="application/json")

        return handle

    app = web.Application()
    for name, spec in EXCHANGES.items():
        app.router.add_get(f"/{name}{spec.path}", handler(name))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    def base(name: str, custom: Script | None = None) -> str:
        scripts[name] = custom
        return f"http://127.0.0.1:{port}/{name}"

    yield base
    await runner.cleanup()


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_each_clock_estimates_within_half_its_best_round_trip(
    exchange_server: Callable[[str, Script | None], str], name: str
) -> None:
    """Strings or numbers, seconds, ms or ns, wrapped or not: the offset within half the
    smallest round trip (plus serverTime's ms rounding and a ms of reading), despite the
    asymmetric delays."""
    half_rtts: list[float] = []

    async with aiohttp.ClientSession() as session:
        clock = ServerClock.for_exchange(
            name, session=session, base_url=exchange_server(name, None), drift_ppm=0
        )
        for _ in range(4):
            started = time.monotonic()
            await clock.sample()
            half_rtts.append((time.monotonic() - started) / 2)
        error_ms = abs(clock.offset_ms - OFFSET_MS)
    assert clock.synced
    assert error_ms <= min(half_rtts) * 1000 + 0.5 + 1.0, (name, error_ms, half_rtts)
    # The asymmetry is real: half the round trip is most of the error budget here.
    assert min(half_rtts) * 1000 >= (OUT_S - BACK_S) / 2 * 1000


FAILED = {
    "bybit": lambda _, ms: {"retCode": 10002, "retMsg": "error", "result": {}, "time": ms},
    "okx": lambda _, ms: {"code": "50102", "msg": "Timestamp request expired", "data": []},
    "bitget": lambda _, ms: {"code": "40008", "msg": "expired", "data": None},
    "kucoin": lambda _, ms: {"code": "400002", "msg": "KC-API-TIMESTAMP Invalid"},
    "binance-usdm": lambda _, ms: {"serverTime": str(ms)},
    "binance-spot": lambda _, ms: {"serverTime": ms / 1000},
}


@pytest.mark.parametrize("name", sorted(FAILED))
async def test_an_answer_whose_code_says_failure_is_refused(
    exchange_server: Callable[[str, Script | None], str], name: str
) -> None:
    """A failed success code, or a time of the wrong type: MalformedAnswer, never a sample."""
    async with aiohttp.ClientSession() as session:
        clock = ServerClock.for_exchange(
            name, session=session, base_url=exchange_server(name, FAILED[name])
        )
        with pytest.raises(MalformedAnswer):
            await clock.sample()
    assert not clock.synced


def test_timestamps_are_written_as_each_exchange_wants() -> None:
    """Milliseconds for most; ISO 8601 UTC with milliseconds for OKX; windows and codes."""
    ms = 1_607_418_537_715
    assert format_timestamp("okx", ms) == "2020-12-08T09:08:57.715Z"
    assert format_timestamp("bybit", ms) == "1607418537715"
    assert EXCHANGES["kucoin"].window_ms == 5000 and EXCHANGES["okx"].window_ms == 30_000
    assert EXCHANGES["bybit"].is_timestamp_error(10002)
    assert EXCHANGES["okx"].is_timestamp_error("50102")
    assert not EXCHANGES["bitget"].is_timestamp_error("40001")
    with pytest.raises(ValueError, match="unknown exchange"):
        ServerClock.for_exchange("ftx", session=None)  # type: ignore[arg-type]


async def test_the_command_line_prints_an_exchanges_offset(
    exchange_server: Callable[[str, Script | None], str],
) -> None:
    """python -m binance_async clock --exchange bybit --base-url ... reports the offset."""
    base = exchange_server("bybit", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "binance_async", "clock", "--exchange", "bybit",
        "--base-url", base, "--samples", "3",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    offset = float(text.split("offset")[1].split("ms")[0])
    assert abs(offset - OFFSET_MS) < 50 and "uncertainty" in text
