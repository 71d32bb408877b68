"""Property: for any parameter set, the simulator accepts the client's signature.

The simulator verifies over the raw bytes it received with its own code; the client encodes
and signs with its own. Any disagreement (quoting, ordering, decimals, unicode) is a -1022.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binance_async import APIError, UMFutures
from binance_async.endpoint import Endpoint
from binance_async.testing import RateLimitConfig, Simulator
from binance_async.venues.usdm import trading as ep

from .conftest import KEY_KINDS, make_client

# A signed endpoint that takes parameters; whatever it thinks of them, the signature is
# checked first, so any answer other than -1022 means the signature was accepted.
PROBE_ENDPOINTS = (ep.OPEN_ORDERS, ep.NEW_ORDER, ep.CANCEL_ORDER)

names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{0,11}", fullmatch=True).filter(
    lambda n: n not in ("timestamp", "recvWindow", "signature")
)
values = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.one_of(st.integers(0, 10**9), st.text(max_size=8)), max_size=4),
)
param_sets = st.dictionaries(names, values, max_size=8)


class LoopThread:
    """A simulator and three clients on an event loop in a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients: dict[str, UMFutures] = {}
        self.run(self._start())

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    async def _start(self) -> None:
        # A budget no run of examples can use up: this test is about signatures.
        limits = RateLimitConfig(
            weight_limit=10**7, order_limits=((10**7, "SECOND", 10), (10**7, "MINUTE", 1))
        )
        self.sim = Simulator(seed=3, rate_limits=limits)
        await self.sim.__aenter__()
        for kind in KEY_KINDS:
            client = make_client(self.sim, self.sim.new_credentials(kind))
            await client.open()
            await client.exchange_info()
            self.clients[kind] = client

    async def _stop(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        await self.sim.__aexit__(None, None, None)

    def close(self) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.close()


async def _send(client: UMFutures, endpoint: Endpoint, params: dict[str, Any]) -> int | None:
    try:
        await client._gateway.request(endpoint, params)
    except APIError as exc:
        return exc.code
    return None


@pytest.mark.parametrize("kind", KEY_KINDS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=param_sets, which=st.integers(0, len(PROBE_ENDPOINTS) - 1))
def test_simulator_accepts_any_signed_parameter_set(
    loop_thread: LoopThread, kind: str, params: dict[str, Any], which: int
) -> None:
    """Any parameter set, any key type, GET/POST/DELETE: never -1022, never -1021."""
    code = loop_thread.run(_send(loop_thread.clients[kind], PROBE_ENDPOINTS[which], params))
    assert code not in (-1022, -1021), (kind, params)


def test_decimal_examples_accepted(loop_thread: LoopThread) -> None:
    """Tiny and huge decimals in an order are accepted as numbers, not -1100."""
    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": Decimal("3E-3"),
        "price": 40000.0,
        "newClientOrderId": "prop-1",
    }
    code = loop_thread.run(_send(loop_thread.clients["hmac"], PROBE_ENDPOINTS[1], params))
    assert code is None
