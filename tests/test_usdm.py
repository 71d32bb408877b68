"""The USDⓈ-M client end to end against the simulator: orders, account, validation."""

from __future__ import annotations

import gc
import hashlib
import hmac
import logging
import re
from decimal import Decimal

import pytest

from binance_async import (
    CancelRejected,
    FilterViolation,
    InvalidRequest,
    Order,
    UMFutures,
    UnknownSymbol,
)
from binance_async.testing import Simulator

from .conftest import KEY_KINDS, make_client

ORDER_PATH = "/fapi/v1/order"


def order_requests(sim: Simulator) -> list[object]:
    return [r for r in sim.audit.requests if r.path == ORDER_PATH and r.method == "POST"]


@pytest.mark.parametrize("kind", KEY_KINDS)
async def test_order_lifecycle_for_each_key_type(sim: Simulator, kind: str) -> None:
    """Place, query, list, cancel and read the account, signed with each key type."""
    creds = sim.new_credentials(kind)
    async with make_client(sim, creds) as client:
        await client.ping()
        assert abs(await client.server_time() - sim.clock.now_ms()) < 1000
        filled = await client.new_order(
            symbol="BTCUSDT",
            side="BUY",
            type="MARKET",
            quantity=Decimal("0.010"),
            new_client_order_id="sig-42",
        )
        assert isinstance(filled, Order)
        assert filled.client_order_id == "sig-42" and not filled.reconciled
        again = await client.get_order(symbol="BTCUSDT", orig_client_order_id="sig-42")
        assert again.status == "FILLED" and again.executed_qty == Decimal("0.010")
        assert again.order_id == filled.order_id

        resting = await client.new_order(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            quantity=Decimal("0.003"),
            price=Decimal("45000.0"),
        )
        assert resting.status == "NEW" and resting.client_order_id.startswith("ba-")
        assert len(resting.client_order_id) <= 36
        assert [o.order_id for o in await client.open_orders("BTCUSDT")] == [resting.order_id]
        cancelled = await client.cancel_order(symbol="BTCUSDT", order_id=resting.order_id)
        assert cancelled.status == "CANCELED"
        assert await client.open_orders("BTCUSDT") == []

        positions = {p.symbol: p for p in await client.position_risk()}
        assert positions["BTCUSDT"].position_amt == Decimal("0.010")
        account = await client.account()
        assert account.total_wallet_balance > 0
        usdt = {b.asset: b for b in await client.balance()}["USDT"]
        assert usdt.balance > 0
    assert sim.audit.accepted["sig-42"] == 1


async def test_exact_bytes_on_the_wire(sim: Simulator) -> None:
    """A signed POST sends its parameters as the form body, signature last, HMAC of the rest."""
    creds = sim.new_credentials("hmac")
    async with make_client(sim, creds) as client:
        await client.new_order(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            quantity=3e-03,
            price=Decimal("40000.5"),
            reduce_only=False,
            new_client_order_id="wire-1",
        )
        await client.get_order(symbol="BTCUSDT", orig_client_order_id="wire-1")
    post = order_requests(sim)[-1]
    assert post.query == ""
    body = post.body.decode()
    payload, _, signature = body.rpartition("&signature=")
    assert payload.startswith(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.003&reduceOnly=false"
        "&price=40000.5&newClientOrderId=wire-1&recvWindow=5000&timestamp="
    )
    assert creds.api_secret is not None
    expected = hmac.new(creds.api_secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert signature == expected
    get = [r for r in sim.audit.requests if r.method == "GET" and r.path == ORDER_PATH][-1]
    assert get.body == b""
    assert get.query.startswith(
        "symbol=BTCUSDT&origClientOrderId=wire-1&recvWindow=5000&timestamp="
    )
    assert "&signature=" in get.query and get.query.index("&signature=") > get.query.index(
        "timestamp"
    )


async def test_generated_client_id_takes_its_documented_place(sim: Simulator) -> None:
    """Without a client order id, the generated one goes where the docs put it."""
    async with make_client(sim, sim.new_credentials("hmac")) as client:
        order = await client.new_order(
            symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.003", reduce_only=False
        )
    body = order_requests(sim)[-1].body.decode()
    assert re.fullmatch(
        r"symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0\.003&reduceOnly=false"
        r"&newClientOrderId=([.A-Za-z0-9:/_-]{1,36})&recvWindow=5000&timestamp=\d+"
        r"&signature=[0-9a-f]{64}",
        body,
    )
    assert f"newClientOrderId={order.client_order_id}&" in body


async def test_bad_input_refused_before_sending(sim: Simulator) -> None:
    """Malformed symbols, off-step quantities and conditional types never reach the wire."""
    async with make_client(sim, sim.new_credentials("hmac")) as client:
        await client.exchange_info()
        sent = len(sim.audit.requests)
        for symbol in ("btcusdt", "BTC/USDT", "BTC-USDT", " BTCUSDT"):
            with pytest.raises(UnknownSymbol):
                await client.new_order(symbol=symbol, side="BUY", type="MARKET", quantity=1)
        with pytest.raises(UnknownSymbol, match="not listed"):
            await client.new_order(symbol="FOOUSDT", side="BUY", type="MARKET", quantity=1)
        with pytest.raises(FilterViolation, match="step"):
            await client.new_order(
                symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.0015")
            )
        with pytest.raises(FilterViolation, match="tick"):
            await client.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                quantity=Decimal("0.01"),
                price=Decimal("50000.05"),
            )
        with pytest.raises(InvalidRequest, match=r"algoOrder.*new_algo_order"):
            await client.new_order(symbol="BTCUSDT", side="BUY", type="STOP_MARKET", quantity=1)
        with pytest.raises(InvalidRequest, match="36"):
            await client.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="MARKET",
                quantity=Decimal("0.01"),
                new_client_order_id="x" * 37,
            )
        with pytest.raises(InvalidRequest):
            await client.new_order(symbol="BTCUSDT", side="buy", type="MARKET", quantity=1)
        with pytest.raises(InvalidRequest, match=r"stop_price.*new_algo_order"):
            await client.new_order(
                symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1, stop_price=49000
            )
        with pytest.raises(InvalidRequest, match=r"^callback_rate, close_position: .*algo"):
            await client.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="MARKET",
                quantity=1,
                close_position=False,
                callback_rate=1,
            )
        with pytest.raises(InvalidRequest, match=r"^activation_price: .*algo"):
            await client.test_order(
                symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1, activation_price=1
            )
        with pytest.raises(InvalidRequest, match="unknown \\['stopPrice'\\]"):
            await client.new_batch_orders(
                [{"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "stopPrice": 1}]
            )
        assert len(sim.audit.requests) == sent


def test_recv_window_bounds(caplog: pytest.LogCaptureFixture) -> None:
    """recv_window_ms over 60000 is a ValueError; over 10000 warns once about replay."""
    with pytest.raises(ValueError, match="60000"):
        UMFutures(recv_window_ms=60_001)
    with caplog.at_level(logging.WARNING, logger="binance_async"):
        UMFutures(recv_window_ms=20_000)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "replay" in warnings[0].getMessage()


async def test_clock_offset_estimated(sim: Simulator) -> None:
    """A server clock 2.5 s behind is estimated within the reported uncertainty."""
    sim.clock.set_offset_ms(-2500)
    async with make_client(sim, sim.new_credentials("hmac")) as client:
        assert abs(client.clock.offset_ms - -2500) <= client.clock.uncertainty_ms + 2
        await client.account()
    assert all(r.code != -1021 for r in sim.audit.requests)


async def test_server_clock_jump_repaired(sim: Simulator) -> None:
    """After the exchange's clock jumps, the next signed request still succeeds."""
    async with make_client(sim, sim.new_credentials("ed25519")) as client:
        sim.clock.jump(6000)
        await client.account()
        assert client.stats.timestamp_resends == 1 and client.clock.resyncs == 1
        sim.clock.jump(-7000)
        order = await client.new_order(
            symbol="ETHUSDT",
            side="SELL",
            type="MARKET",
            quantity=Decimal("0.5"),
            new_order_resp_type="RESULT",
        )
        assert order.status == "FILLED"
    codes = [r.code for r in sim.audit.requests if r.code is not None]
    assert codes.count(-1021) == 2
    assert sim.audit.accepted[order.client_order_id] == 1


async def test_persistent_1021_surfaces_after_bounded_resends(sim: Simulator) -> None:
    """A -1021 that survives the resyncs reaches the caller after a bounded number of tries."""
    from binance_async import InvalidTimestamp

    async with make_client(sim, sim.new_credentials("hmac")) as client:
        sim.inject_next("invalid_timestamp", count=10, endpoint=("GET", "/fapi/v3/account"))
        with pytest.raises(InvalidTimestamp):
            await client.account()
    tries = [r for r in sim.audit.requests if r.path == "/fapi/v3/account"]
    assert len(tries) == 3


async def test_cancel_of_unknown_order_is_an_error(client: UMFutures) -> None:
    """Cancelling an order that never existed raises CancelRejected with its endpoint."""
    with pytest.raises(CancelRejected) as info:
        await client.cancel_order(symbol="BTCUSDT", orig_client_order_id="never-was")
    assert info.value.endpoint == "DELETE /fapi/v1/order" and info.value.code == -2011


async def test_cancel_of_filled_order_reports_final_state(client: UMFutures) -> None:
    """Cancelling an order that already filled returns it, FILLED, instead of an error."""
    order = await client.new_order(
        symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.002")
    )
    final = await client.cancel_order(symbol="BTCUSDT", order_id=order.order_id)
    assert final.status == "FILLED" and final.order_id == order.order_id


async def test_no_secret_in_repr_logs_or_errors(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the client's repr, its logs nor its errors show the secret."""
    creds = sim.new_credentials("hmac")
    assert creds.api_secret is not None
    caplog.set_level(logging.DEBUG)
    async with make_client(sim, creds) as client:
        sim.clock.jump(2000)
        await client.account()
        with pytest.raises(CancelRejected) as info:
            await client.cancel_order(symbol="BTCUSDT", order_id=999999)
        text = repr(client) + str(info.value) + repr(info.value) + caplog.text
    assert creds.api_secret not in text
    assert creds.api_secret not in repr(creds)


async def test_aclose_idempotent_and_dropped_client_warns(sim: Simulator) -> None:
    """aclose() twice is fine; a client dropped while open warns with ResourceWarning."""
    client = make_client(sim, sim.new_credentials("hmac"))
    await client.open()
    await client.aclose()
    await client.aclose()
    leaked = make_client(sim, sim.new_credentials("hmac"))
    await leaked.open()
    with pytest.warns(ResourceWarning, match="dropped while open"):
        leaked.__del__()
    await leaked.aclose()
    gc.collect()
