"""Order entry over the WebSocket API: the bytes of each frame, one budget and one clock with
REST, unknown outcomes settled by the client id, reconnection and rotation without a lost
request. Real WebSocket connections to the simulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from decimal import Decimal
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from binance_async import (
    AlgoOrder,
    Balance,
    FilterRejected,
    InvalidRequest,
    IPBanned,
    NoSuchOrder,
    Order,
    Position,
    TransportError,
    UMFutures,
    UnknownSymbol,
)
from binance_async.models.account import AccountInfo
from binance_async.testing import Credentials, RateLimitConfig, RequestRecord, Simulator

from .conftest import KEY_KINDS, ORDER, fast_client, params, ready, wire
from .relay import Relay

ALGO = "/fapi/v1/algoOrder"
BIG_ORDERS = ((10**6, "SECOND", 10), (10**6, "MINUTE", 1))


def ws_client(sim: Simulator, creds: Credentials | None = None, **kwargs: Any) -> UMFutures:
    """A fast client whose WebSocket API is the simulator's."""
    return fast_client(sim, creds, ws_api_url=sim.ws_api_url, **kwargs)


def frames(sim: Simulator, method: str = "order.place") -> list[dict[str, Any]]:
    """The WebSocket API requests the exchange received for ``method``, decoded."""
    return [orjson.loads(r.body) for r in ws_records(sim, method)]


def ws_records(sim: Simulator, method: str) -> list[RequestRecord]:
    return [r for r in sim.audit.requests if r.method == "WS" and r.path == method]


def handshakes(sim: Simulator) -> list[RequestRecord]:
    return [r for r in sim.audit.requests if r.path == "/ws-fapi/v1"]


def limit_buy(cid: str, price: str = "40000.0") -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "quantity": Decimal("0.010"),
        "price": Decimal(price),
        "time_in_force": "GTC",
        "new_client_order_id": cid,
    }


def _payload(fields: dict[str, Any]) -> bytes:
    """The documented payload, written independently of the client: sorted ``k=v`` pairs."""
    return "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "signature").encode()


def _verifies(creds: Credentials, fields: dict[str, Any]) -> bool:
    payload, signature = _payload(fields), fields["signature"]
    if creds.kind == "hmac":
        assert creds.api_secret is not None
        expected = hmac.new(creds.api_secret.encode(), payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)
    assert creds.private_key_pem is not None
    public = serialization.load_pem_private_key(creds.private_key_pem, None).public_key()
    raw = base64.b64decode(signature, validate=True)
    if isinstance(public, rsa.RSAPublicKey):
        public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(public, ed25519.Ed25519PublicKey)
        public.verify(raw, payload)
    return True


# -- the wire -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["hmac", "rsa"])
async def test_an_order_frame_is_signed_over_sorted_params(sim: Simulator, kind: str) -> None:
    """One text frame: ids, JSON numbers for ints, strings for decimals and booleans, apiKey,
    and a raw signature over every other parameter sorted by name."""
    creds = sim.new_credentials(kind)  # type: ignore[arg-type]
    async with ws_client(sim, creds) as client, client.ws_api() as ws:
        await ready(client, sim)
        order = await ws.new_order(**limit_buy("ws-1"), reduce_only=False)
    assert isinstance(order, Order) and order.client_order_id == "ws-1"
    assert order.status == "NEW" and not order.reconciled
    held = sim.order(client_order_id="ws-1")
    assert held is not None and held.order_id == order.order_id
    (frame,) = frames(sim)
    assert frame["method"] == "order.place" and isinstance(frame["id"], int)
    fields = frame["params"]
    assert {k: v for k, v in fields.items() if k not in ("timestamp", "signature")} == {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.010",
        "price": "40000.0",
        "reduceOnly": "false",
        "newClientOrderId": "ws-1",
        "recvWindow": 1000,
        "apiKey": creds.api_key,
    }
    assert type(fields["timestamp"]) is int and type(fields["recvWindow"]) is int
    assert "%" not in fields["signature"]  # raw, never URL-encoded
    assert _verifies(creds, fields)
    # Nothing of the order went over REST.
    assert wire(sim, "POST") == []


async def test_an_ed25519_key_logs_on_once_and_sends_unsigned(sim: Simulator) -> None:
    """session.logon once per connection (signed, sorted); then orders carry a timestamp but
    neither apiKey nor signature."""
    creds = sim.new_credentials("ed25519")
    async with ws_client(sim, creds) as client:
        await ready(client, sim)
        async with client.ws_api() as ws:
            assert ws.logged_on
            await ws.new_order(**limit_buy("ed-1"))
            await ws.new_order(**limit_buy("ed-2"))
            assert ws.connections.logons == 1
    (logon,) = frames(sim, "session.logon")
    assert logon["params"]["apiKey"] == creds.api_key and _verifies(creds, logon["params"])
    placed = frames(sim)
    assert [f["params"]["newClientOrderId"] for f in placed] == ["ed-1", "ed-2"]
    for frame in placed:
        assert "signature" not in frame["params"] and "apiKey" not in frame["params"]
        assert type(frame["params"]["timestamp"]) is int
    assert sim.audit.accepted["ed-1"] == sim.audit.accepted["ed-2"] == 1


async def test_a_refused_logon_falls_back_to_signing_each_request(sim: Simulator) -> None:
    """session_logon=False (or a refused logon): every request is signed, Ed25519 too."""
    creds = sim.new_credentials("ed25519")
    async with ws_client(sim, creds) as client, client.ws_api(session_logon=False) as ws:
        await ready(client, sim)
        assert not ws.logged_on
        await ws.new_order(**limit_buy("ed-s"))
    (frame,) = frames(sim)
    assert frame["params"]["apiKey"] == creds.api_key and _verifies(creds, frame["params"])


# -- the methods ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KEY_KINDS)
async def test_every_ws_method_answers_as_its_rest_twin(sim: Simulator, kind: str) -> None:
    """modify, status, cancel, algo place and cancel, account, balance, positions: each goes
    as its WebSocket API method and returns the REST method's model."""
    creds = sim.new_credentials(kind)  # type: ignore[arg-type]
    async with ws_client(sim, creds) as client, client.ws_api() as ws:
        await ready(client, sim)
        placed = await ws.new_order(**limit_buy("tw-1"))
        modified = await ws.modify_order(
            symbol="BTCUSDT",
            side="BUY",
            orig_client_order_id="tw-1",
            quantity=Decimal("0.020"),
            price=Decimal("40001.0"),
        )
        assert modified.order_id == placed.order_id and modified.orig_qty == Decimal("0.020")
        got = await ws.get_order(symbol="BTCUSDT", orig_client_order_id="tw-1")
        assert got == await client.get_order(symbol="BTCUSDT", orig_client_order_id="tw-1")
        cancelled = await ws.cancel_order(symbol="BTCUSDT", orig_client_order_id="tw-1")
        assert cancelled.status == "CANCELED" and cancelled.order_id == placed.order_id
        algo = await ws.new_algo_order(
            symbol="BTCUSDT",
            side="SELL",
            type="STOP_MARKET",
            quantity="0.010",
            trigger_price="45000.0",
            reduce_only=True,
            client_algo_id="tw-a",
        )
        assert isinstance(algo, AlgoOrder) and algo.client_algo_id == "tw-a"
        gone = await ws.cancel_algo_order(client_algo_id="tw-a")
        assert gone.status == "CANCELED" and gone.algo_id == algo.algo_id
        account = await ws.account()
        balances = await ws.balance()
        positions = await ws.position_risk()
        assert isinstance(account, AccountInfo)
        assert all(isinstance(b, Balance) for b in balances) and balances
        assert all(isinstance(p, Position) for p in positions)
        assert [b.asset for b in balances] == [b.asset for b in await client.balance()]
    for method in (
        "order.place",
        "order.modify",
        "order.status",
        "order.cancel",
        "algoOrder.place",
        "algoOrder.cancel",
        "v2/account.status",
        "v2/account.balance",
        "v2/account.position",
    ):
        assert len(ws_records(sim, method)) == 1, method
    # Over REST only what the socket does not carry: the client's own reads, and the algo
    # cancel's read-back (the WebSocket API has no algo order query).
    assert wire(sim, "POST") == wire(sim, "PUT") == wire(sim, "DELETE") == []
    assert [params(r)["clientAlgoId"] for r in wire(sim, "GET", ALGO)] == ["tw-a"]


async def test_bad_input_is_refused_before_anything_is_sent(sim: Simulator) -> None:
    """The REST methods' validation: an off-step quantity, an unlisted symbol, a conditional
    type on new_order; no frame leaves."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        with pytest.raises(InvalidRequest):
            await ws.new_order(**{**limit_buy("bad-1"), "quantity": Decimal("0.0105")})
        with pytest.raises(UnknownSymbol):
            await ws.new_order(**{**limit_buy("bad-2"), "symbol": "NOPEUSDT"})
        with pytest.raises(InvalidRequest):
            await ws.new_order(**{**limit_buy("bad-3"), "type": "STOP_MARKET"})
        with pytest.raises(InvalidRequest):
            await ws.get_order(symbol="BTCUSDT")  # neither id
    assert frames(sim) == [] and ws_records(sim, "order.status") == []


async def test_exchange_refusals_raise_the_rest_errors(sim: Simulator) -> None:
    """-2013 is NoSuchOrder, a filter refusal FilterRejected: the same typed errors."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        with pytest.raises(NoSuchOrder) as over_ws:
            await ws.get_order(symbol="BTCUSDT", orig_client_order_id="never")
        with pytest.raises(NoSuchOrder) as over_rest:
            await client.get_order(symbol="BTCUSDT", orig_client_order_id="never")
        assert over_ws.value.code == over_rest.value.code == -2013
        # Far above the mark: the exchange's percent-price filter refuses it.
        with pytest.raises(FilterRejected):
            await ws.new_order(**limit_buy("far", price="100000.0"))


# -- one clock, one budget ------------------------------------------------------------------


async def test_a_1021_is_repaired_over_the_socket(sim: Simulator) -> None:
    """-1021: the clock is resynced and the order re-stamped, re-signed and resent."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        sim.inject_next("invalid_timestamp", endpoint=("POST", ORDER))
        order = await ws.new_order(**limit_buy("ts-1"))
        assert client.stats.timestamp_resends == 1
    assert order.client_order_id == "ts-1" and sim.audit.accepted["ts-1"] == 1
    first, second = ws_records(sim, "order.place")
    assert first.code == -1021 and second.status == 200
    # Resynced in between (over REST), then stamped anew.
    between = sim.audit.requests[sim.audit.requests.index(first) : sim.audit.requests.index(second)]
    assert any(r.path == "/fapi/v1/time" for r in between)
    stamps = [orjson.loads(r.body)["params"]["timestamp"] for r in (first, second)]
    assert stamps[1] >= stamps[0]


async def test_answers_feed_the_same_ledger(sim: Simulator) -> None:
    """The rateLimits of socket answers move the client's windows: REST and socket calls
    share one budget (the handshake's weight included)."""
    async with ws_client(sim) as client:
        await ready(client, sim)
        before = _weight(client)
        async with client.ws_api() as ws:
            await ws.position_risk()  # weight 5
            after = _weight(client)
            assert after >= before + 5 + 5  # the handshake and the call
            assert after == sim.used_weight("127.0.0.1")
            await ws.new_order(**limit_buy("led-1"))
            orders = [w for w in client.limits.windows if w.kind == "ORDERS"]
            assert orders and all(w.used == 1 for w in orders)


def _weight(client: UMFutures) -> int:
    return next(w.used for w in client.limits.windows if w.kind == "REQUEST_WEIGHT")


async def test_mixed_rest_and_socket_bursts_draw_no_429() -> None:
    """REST reads and socket calls from 120 tasks over a 1 s, 60-weight budget and a small
    order budget: every call done, not one 429, no window over its limit."""
    limits = RateLimitConfig(
        weight_limit=60,
        weight_interval="SECOND",
        weight_interval_num=1,
        order_limits=((10, "SECOND", 1), (10**6, "MINUTE", 1)),
    )
    async with Simulator(rate_limits=limits) as sim:
        async with ws_client(sim, call_deadline_s=60.0) as client, client.ws_api() as ws:
            await client.exchange_info()

            async def task(n: int) -> None:
                if n % 3 == 0:
                    await ws.position_risk()  # 5 over the socket
                elif n % 3 == 1:
                    await client.depth("BTCUSDT", limit=100)  # 5 over REST
                else:
                    await ws.new_order(**limit_buy(f"mix-{n}"))  # orders over the socket
                    await client.open_orders("BTCUSDT")  # 1 over REST

            async with asyncio.timeout(60):
                await asyncio.gather(*(task(n) for n in range(120)))
        assert sim.audit.status_count(429) == 0 and sim.audit.status_count(418) == 0
        assert max(sim.audit.max_weight_per_window().values()) <= 60
        assert max(v for k, v in sim.audit.max_orders_per_window().items() if k[1] == "1S") <= 10
        assert len(ws_records(sim, "order.place")) == 40


async def test_a_429_over_the_socket_pauses_and_resends() -> None:
    """A 429 answer with data.retryAfter: the client waits, then the order goes through."""
    limits = RateLimitConfig(
        weight_interval="SECOND", weight_interval_num=2, order_limits=BIG_ORDERS
    )
    async with (
        Simulator(rate_limits=limits) as sim,
        ws_client(sim) as client,
        client.ws_api() as ws,
    ):
        await ready(client, sim)
        sim.inject_next("http_429", endpoint=("POST", ORDER))
        order = await ws.new_order(**limit_buy("rl-1"))
        assert client.stats.rate_limited == 1
    assert sim.audit.accepted["rl-1"] == 1 and order.status == "NEW"
    refused, placed = ws_records(sim, "order.place")
    assert refused.status == 429 and placed.status == 200
    assert sim.audit.status_count(418) == 0


async def test_a_418_over_the_socket_bans_both_transports() -> None:
    """A 418 answer on the socket: every call, over the socket or REST, raises IPBanned at once
    with the ban's end from data.retryAfter, and nothing reaches the exchange until it ends."""
    async with (
        Simulator(rate_limits=RateLimitConfig(ban_initial_s=2.0)) as sim,
        ws_client(sim) as client,
        client.ws_api() as ws,
    ):
        await ready(client, sim)
        sim.inject_next("http_418", endpoint=("POST", ORDER))
        with pytest.raises(IPBanned) as first:
            await ws.new_order(**limit_buy("ban-1"))
        (refused,) = ws_records(sim, "order.place")
        assert refused.status == 418
        assert orjson.loads(refused.body)["params"]["newClientOrderId"] == "ban-1"
        assert first.value.until_ms > sim.clock.now_ms()
        sent = len(sim.audit.requests)
        for call in (ws.position_risk(), client.ping(), ws.new_order(**limit_buy("ban-2"))):
            with pytest.raises(IPBanned) as again:
                await call
            assert again.value.until_ms == first.value.until_ms
        assert len(sim.audit.requests) == sent
        await asyncio.sleep((first.value.until_ms - sim.clock.now_ms()) / 1000 + 0.05)
        assert (await ws.new_order(**limit_buy("ban-3"))).client_order_id == "ban-3"
    assert sim.audit.status_count(418) == 1 and sim.audit.accepted["ban-1"] == 0


# -- unknown outcomes -----------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["unknown_executed", "drop_after_execute", "slow"])
async def test_an_order_that_executed_is_found_by_its_client_id(sim: Simulator, fault: str) -> None:
    """A 503 unknown, a connection dropped with the order in flight, an answer later than the
    timeout: the order is found by query, never sent twice."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        sim.inject_next(fault, endpoint=("POST", ORDER), delay_s=0.8)  # type: ignore[arg-type]
        order = await ws.new_order(**limit_buy("uk-1"))
        assert order.reconciled and client.stats.reconciliations == 1
        assert client.stats.resubmissions == 0
    assert sim.audit.accepted["uk-1"] == 1 and len(frames(sim)) == 1
    queries = ws_records(sim, "order.status") + wire(sim, "GET")
    assert queries


@pytest.mark.parametrize("fault", ["unknown_not_executed", "drop_before_execute"])
async def test_an_order_that_never_executed_is_resent_once_proven_absent(
    sim: Simulator, fault: str
) -> None:
    """Absent past its timestamp + recvWindow + margin: resent with the same client id."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        sim.inject_next(fault, endpoint=("POST", ORDER))  # type: ignore[arg-type]
        order = await ws.new_order(**limit_buy("ab-1"))
        assert client.stats.resubmissions == 1
    assert sim.audit.accepted["ab-1"] == 1 and not order.reconciled
    assert [f["params"]["newClientOrderId"] for f in frames(sim)] == ["ab-1", "ab-1"]


async def test_a_lost_connection_with_many_in_flight_loses_and_doubles_nothing(
    sim: Simulator,
) -> None:
    """Twenty orders in flight when the connection drops: each ends placed exactly once."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        sim.inject_next("drop_after_execute", endpoint=("POST", ORDER))
        orders = await asyncio.gather(*(ws.new_order(**limit_buy(f"m-{n}")) for n in range(20)))
        assert ws.connections.lost >= 1 and ws.connections.connects >= 2
    assert sorted(o.client_order_id for o in orders) == sorted(f"m-{n}" for n in range(20))
    assert sim.audit.duplicates() == {}
    assert all(sim.audit.accepted[f"m-{n}"] == 1 for n in range(20))


# -- connections ----------------------------------------------------------------------------


async def test_reconnects_after_a_drop_and_charges_the_handshake(sim: Simulator) -> None:
    """The exchange drops every connection: the next call waits for the new one."""
    async with ws_client(sim) as client, client.ws_api() as ws:
        await ready(client, sim)
        await ws.new_order(**limit_buy("rc-1"))
        sim.ws_api_drop_connections()
        await ws.new_order(**limit_buy("rc-2"))
        assert ws.connections.connects == 2 and ws.connections.lost == 1
    assert [h.weight for h in handshakes(sim)] == [5]  # the reconnection's
    assert sim.audit.accepted["rc-2"] == 1


async def test_each_handshake_is_charged_to_the_address_it_leaves_from() -> None:
    """Two egress addresses, one much more used: each connection's handshake is charged to
    its own address's budget (not to the least-used one), so the ledger matches the
    exchange's count per address."""
    limits = RateLimitConfig(weight_limit=2400, weight_interval="HOUR", order_limits=BIG_ORDERS)
    async with Simulator(rate_limits=limits) as sim:
        # The hour's window is seeded from the default minute windows, where a request
        # answered across a minute boundary counts in both: start well clear of one.
        left_ms = 60_000 - sim.clock.now_ms() % 60_000
        if left_ms < 8_000:
            await asyncio.sleep(left_ms / 1000 + 0.2)
        addresses = ["127.0.0.2", "127.0.0.3"]
        async with ws_client(sim, local_addresses=addresses) as client:
            await client.exchange_info()
            sim.preload_weight("127.0.0.3", 300)
            for _ in range(4):  # least-used first: both addresses see the exchange's counts
                await client.ping()
            async with client.ws_api() as ws:
                for _ in range(200):  # bounded: 10 s
                    if ws.connections.connects == 2:
                        break
                    await asyncio.sleep(0.05)
                assert ws.connections.connects == 2
                charged = {h.ip: h.weight for h in handshakes(sim)}
                assert charged == {"127.0.0.2": 5, "127.0.0.3": 5}
                used = {
                    w.address: w.used for w in client.limits.windows if w.kind == "REQUEST_WEIGHT"
                }
                assert used == {ip: sim.used_weight(ip) for ip in addresses}
                assert used["127.0.0.3"] > 300


async def test_calls_while_down_wait_then_fail_saying_nothing_was_sent(sim: Simulator) -> None:
    """The socket is down (connections refused): a call waits within its deadline, then
    fails with sent=False, and the exchange saw nothing; once it is back, calls go again."""
    port = int(sim.base_url.rsplit(":", 1)[1])
    async with Relay("127.0.0.1", port) as relay:
        client = fast_client(sim, ws_api_url=relay.url("ws", "/ws-fapi/v1"), call_deadline_s=1.0)
        async with client, client.ws_api() as ws:
            await ready(client, sim)
            relay.refusing = True
            relay.cut()
            async with asyncio.timeout(5):
                while ws.connected:  # noqa: ASYNC110 (public state)
                    await asyncio.sleep(0.005)
            with pytest.raises(TransportError) as failed:
                await ws.new_order(**limit_buy("down-1"))
            assert failed.value.sent is False
            assert frames(sim) == [] and sim.order(client_order_id="down-1") is None
            # A read does not wait: it goes over REST while the socket is down.
            assert (await ws.balance())[0].asset
            relay.refusing = False
            order = await ws.new_order(**limit_buy("down-2"))
            assert order.client_order_id == "down-2"


async def test_rotation_before_the_cut_loses_no_request() -> None:
    """The exchange cuts connections after 1.5 s; the client rotates each after 0.4 s: 200
    orders from 10 tasks across several rotations, none unknown, none failed."""
    async with (
        Simulator(ws_api_max_lifetime_s=1.5) as sim,
        ws_client(sim) as client,
        client.ws_api(rotate_after_s=0.4) as ws,
    ):
        await ready(client, sim)
        queue = list(range(200))

        async def worker() -> None:
            while queue:
                n = queue.pop()
                await ws.new_order(**limit_buy(f"rot-{n}"))
                await asyncio.sleep(0.08)

        async with asyncio.timeout(60):
            await asyncio.gather(*(worker() for _ in range(10)))
        stats = client.stats
        assert ws.connections.rotations >= 3, ws.connections.rotations
        assert ws.connections.lost == 0
        assert stats.reconciliations == 0 and stats.resubmissions == 0
    assert sim.audit.duplicates() == {}
    assert all(sim.audit.accepted[f"rot-{n}"] == 1 for n in range(200))


async def test_a_session_needs_an_open_client_and_a_url(sim: Simulator) -> None:
    """No ws_api_url with a custom base_url: refused (never the real exchange); a closed
    session refuses calls."""
    creds = sim.new_credentials("hmac")
    bare = UMFutures(creds.api_key, creds.api_secret, base_url=sim.base_url)
    with pytest.raises(InvalidRequest):
        bare.ws_api()
    async with ws_client(sim, creds) as client:
        ws = client.ws_api()
        async with ws:
            pass
        with pytest.raises(RuntimeError):
            await ws.get_order(symbol="BTCUSDT", orig_client_order_id="x")


def test_rate_limits_array_read_as_the_rest_headers_counts() -> None:
    """An answer's rateLimits become the counts REST headers carry, under the same names;
    items the limiter cannot read are skipped, however malformed (an unhashable type used to
    raise TypeError)."""
    from binance_async.wsapi import _counts

    answer = [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "count": 7},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "count": 2},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "count": 0},
    ]
    malformed: list[Any] = [
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "count": 1},
        {"rateLimitType": "ORDERS", "interval": "WEEK", "intervalNum": 1, "count": 1},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": True, "count": 1},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "count": -1},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "count": "3"},
        {"rateLimitType": ["ORDERS"], "interval": "SECOND", "intervalNum": 10, "count": 1},
        {"rateLimitType": "ORDERS", "interval": {"x": 1}, "intervalNum": 10, "count": 1},
        "ORDERS",
        None,
    ]
    expected = {
        "x-mbx-used-weight-1m": "7",
        "x-mbx-order-count-10s": "2",
        "x-mbx-order-count-1d": "0",
    }
    assert _counts(answer) == expected
    assert _counts(malformed + answer) == expected
    assert _counts(malformed) == {}
    assert _counts(None) == {} and _counts({"count": 1}) == {}
