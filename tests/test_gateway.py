"""Gateway edge cases on the wire, against a scripted exchange on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import orjson
import pytest
from aiohttp import web

from binance_async import InvalidTimestamp, RetryConfig, UMFutures, UnknownOutcome
from binance_async.errors import RequestInfo, api_error
from binance_async.venues.usdm import CODES

FAST = RetryConfig(base_delay_s=0.001, max_delay_s=0.002, jitter=0.0)

Script = list[tuple[int, bytes, str]]


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Script], str]]:
    """A loopback server: /fapi/v1/time answers honestly, /fapi/v1/ping follows a script."""
    script: Script = []

    async def time(_: web.Request) -> web.Response:
        return web.Response(body=orjson.dumps({"serverTime": 1_795_000_000_000}))

    async def ping(_: web.Request) -> web.Response:
        status, body, content_type = script.pop(0) if len(script) > 1 else script[0]
        return web.Response(status=status, body=body, content_type=content_type)

    app = web.Application()
    app.router.add_get("/fapi/v1/time", time)
    app.router.add_get("/fapi/v1/ping", ping)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    def load(answers: Script) -> str:
        script[:] = answers
        return f"http://127.0.0.1:{port}"

    yield load
    await runner.cleanup()


async def test_unreadable_answer_to_a_read_is_retried(scripted: Callable[[Script], str]) -> None:
    """A 200 whose body is not JSON is an unknown outcome; a harmless read is sent again."""
    base = scripted([(200, b"<html>gateway</html>", "text/html"), (200, b"{}", "application/json")])
    async with UMFutures(base_url=base, retry=FAST) as client:
        await client.ping()
        assert client.stats.backoffs == 1


async def test_html_502_on_a_read_is_retried_then_surfaces(
    scripted: Callable[[Script], str],
) -> None:
    """A 5xx without a Binance body is retried a bounded number of times, then raised."""
    base = scripted([(502, b"<html>Bad Gateway</html>", "text/html")])
    async with UMFutures(base_url=base, retry=FAST) as client:
        with pytest.raises(UnknownOutcome) as info:
            await client.ping()
        assert client.stats.backoffs == FAST.max_retries
    assert info.value.status == 502 and info.value.code is None


def test_matching_engine_recv_window_reject_is_repaired_like_1021() -> None:
    """-5028 (refused by the matching engine past its recvWindow) is an InvalidTimestamp."""
    err = api_error(
        status=400,
        code=-5028,
        message="x",
        request=RequestInfo("POST", "/fapi/v1/order"),
        table=CODES,
    )
    assert isinstance(err, InvalidTimestamp)
