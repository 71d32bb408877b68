"""The simulator's WebSocket API: frames, answers, signing, sessions, the budget it shares with
REST, faults, keep-alive and lifetime.

Frames are written by hand here (params sorted by name, HMAC with hmac/hashlib, RSA and Ed25519
with cryptography), from reference/fapi-rules.md section 8 and signature-vectors.md A5-A7, C3;
never through the client library.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from binance_async.testing import Credentials, RateLimitConfig, Simulator

T0 = 1_700_000_040_000  # a multiple of 60 s
IP = "127.0.0.1"
TIMEOUT_S = 3.0
ORDER = ("POST", "/fapi/v1/order")
CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
WEIGHT_LIMIT = {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1}
A1_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
#: RFC 8032 test 1 key (signature-vectors.md C3), as a Binance user holds it.
ED25519_PEM = b"""-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
"""
#: signature-vectors.md A7 / C3c: the sorted payload and its signatures.
A7_PARAMS: dict[str, object] = {
    "apiKey": "TESTKEY",
    "price": "0.2",
    "quantity": "1",
    "side": "SELL",
    "symbol": "BTCUSDT",
    "timeInForce": "GTC",
    "timestamp": 1668481559918,
    "type": "LIMIT",
}
A7_HMAC = "72bb468275b4c0db3103ab0381bdbbd77d6c631cd13a1803653b38f62dea72b7"
C3C_ED25519 = (
    "z6IiLfEA4C4YYN52HCvUjoRSDY/5nDHapjjyfJykaZFBYs/GGcdjFdSSHHZSR4T95gRvgkmm+3HJy3G07h9ODw=="
)


def _text(value: object) -> str:
    """A parameter's text in the signed payload: strings raw, integers and booleans as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ws_signature(creds: Credentials, params: Mapping[str, object]) -> str:
    """Sign the params sorted by name, ``k=v&...`` (UTF-8); RSA/Ed25519 base64, not URL-encoded."""
    payload = "&".join(f"{k}={_text(params[k])}" for k in sorted(params)).encode()
    if creds.api_secret is not None:
        return hmac.new(creds.api_secret.encode(), payload, hashlib.sha256).hexdigest()
    assert creds.private_key_pem is not None
    key = serialization.load_pem_private_key(creds.private_key_pem, password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        return base64.b64encode(key.sign(payload, padding.PKCS1v15(), hashes.SHA256())).decode()
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return base64.b64encode(key.sign(payload)).decode()


def market(cid: str, **extra: object) -> dict[str, object]:
    """A BTCUSDT MARKET buy with a client order id."""
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "0.01",
        "newClientOrderId": cid,
        **extra,
    }


class Ws:
    """One WebSocket API connection driven by hand: frames out, answers in (bounded waits)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, sim: Simulator) -> None:
        self.ws = ws
        self.sim = sim
        self._next_id = 0

    def signed(
        self, creds: Credentials, params: Mapping[str, object], **stamp: object
    ) -> dict[str, object]:
        """``params`` with apiKey, timestamp (the exchange's now unless given) and signature."""
        full: dict[str, object] = {"apiKey": creds.api_key, **params}
        full.setdefault("timestamp", self.sim.clock.now_ms())
        full.update(stamp)
        full["signature"] = ws_signature(creds, full)
        return full

    async def send(self, method: str, params: Mapping[str, object] | None = None) -> int:
        """Send one request frame; its id."""
        self._next_id += 1
        frame: dict[str, object] = {"id": self._next_id, "method": method}
        if params is not None:
            frame["params"] = dict(params)
        await self.ws.send_str(orjson.dumps(frame).decode())
        return self._next_id

    async def recv(self) -> dict[str, Any]:
        """The next answer."""
        async with asyncio.timeout(TIMEOUT_S):
            msg = await self.ws.receive()
        assert msg.type is aiohttp.WSMsgType.TEXT, msg
        answer: dict[str, Any] = orjson.loads(msg.data)
        return answer

    async def call(self, method: str, params: Mapping[str, object] | None = None) -> dict[str, Any]:
        """Send and wait for this request's answer."""
        rid = await self.send(method, params)
        answer = await self.recv()
        assert answer["id"] == rid, answer
        return answer

    async def closed(self) -> aiohttp.WSMessage:
        """Wait for the end of the connection; the message that told it."""
        async with asyncio.timeout(TIMEOUT_S):
            while True:
                msg = await self.ws.receive()
                if msg.type in CLOSED:
                    return msg


@pytest.fixture(autouse=True)
def frozen(sim: Simulator) -> None:
    """Freeze the exchange clock 2.5 s into a minute (and into a 10 s order window)."""
    sim.clock.freeze(T0 + 2500)


@pytest.fixture
async def ws(session: aiohttp.ClientSession, sim: Simulator) -> AsyncIterator[Ws]:
    """A WebSocket API connection to ``sim``."""
    async with session.ws_connect(sim.ws_api_url) as conn:
        yield Ws(conn, sim)


def weight_count(answer: Mapping[str, Any]) -> int:
    """The REQUEST_WEIGHT count of an answer's rateLimits."""
    (item,) = [i for i in answer["rateLimits"] if i["rateLimitType"] == "REQUEST_WEIGHT"]
    count: int = item["count"]
    return count


def ws_records(sim: Simulator, path: str) -> list[Any]:
    """The audit's WebSocket API requests to ``path`` (a method name)."""
    return [r for r in sim.audit.requests if r.method == "WS" and r.path == path]


async def wait_for(predicate: Any) -> None:
    """Poll ``predicate`` until true (at most TIMEOUT_S)."""
    for _ in range(int(TIMEOUT_S / 0.005)):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not met in time")


# -- handshake ----------------------------------------------------------------------------------


async def test_handshake_costs_five_weight_and_is_audited(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """The upgrade is charged 5 IP weight, audited as GET /ws-fapi/v1 101, and counted."""
    assert sim.ws_api_url == sim.base_url.replace("http://", "ws://") + "/ws-fapi/v1"
    async with session.ws_connect(sim.ws_api_url):
        assert sim.used_weight(IP) == 5
        assert sim.ws_api_connections == 1
        (record,) = sim.audit.requests
        assert (record.method, record.path, record.status, record.weight) == (
            "GET",
            "/ws-fapi/v1",
            101,
            5,
        )
    await wait_for(lambda: sim.ws_api_connections == 0)


async def test_plain_get_is_not_an_endpoint(sim: Simulator, client) -> None:
    """A GET of /ws-fapi/v1 without the upgrade is answered like an unknown REST path."""
    r = await client.public("GET", "/ws-fapi/v1")
    assert (r.status, r.code) == (404, -1020)


async def test_handshake_refused_429_and_418(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """Over the weight: HTTP 429 with Retry-After and the REST body; banned: HTTP 418."""
    sim.preload_weight(IP, 2400 - 4)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await session.ws_connect(sim.ws_api_url)
    assert refused.value.status == 429
    assert int(refused.value.headers["Retry-After"]) == 58  # 57.5 s left, rounded up
    async with session.get(sim.base_url + "/ws-fapi/v1", headers=_upgrade_headers()) as r:
        assert r.status == 429
        assert (await r.json())["code"] == -1003
    sim.clock.jump(60_000)  # a fresh window, where the injected fault is reached
    sim.inject_next("http_418", endpoint=("GET", "/ws-fapi/v1"))
    async with session.get(sim.base_url + "/ws-fapi/v1", headers=_upgrade_headers()) as r:
        assert r.status == 418
        assert (await r.json())["code"] == -1003
        assert int(r.headers["Retry-After"]) > 0
    assert [r.status for r in sim.audit.requests] == [429, 429, 418]


def _upgrade_headers() -> dict[str, str]:
    return {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode(),
    }


# -- answers ------------------------------------------------------------------------------------


async def test_answer_shapes(sim: Simulator, ws: Ws, creds: Credentials) -> None:
    """Results and errors carry id, status and rateLimits; order methods add both ORDERS windows."""
    time = await ws.call("time")
    assert time == {
        "id": 1,
        "status": 200,
        "result": {"serverTime": T0 + 2500},
        "rateLimits": [{**WEIGHT_LIMIT, "limit": 2400, "count": 6}],
    }
    placed = await ws.call("order.place", ws.signed(creds, market("shape-1")))
    assert list(placed) == ["id", "status", "result", "rateLimits"]
    assert placed["result"]["clientOrderId"] == "shape-1"
    assert placed["rateLimits"] == [
        {**WEIGHT_LIMIT, "limit": 2400, "count": 6},
        {
            "rateLimitType": "ORDERS",
            "interval": "SECOND",
            "intervalNum": 10,
            "limit": 300,
            "count": 1,
        },
        {
            "rateLimitType": "ORDERS",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": 1200,
            "count": 1,
        },
    ]
    refused = await ws.call("order.place", ws.signed(creds, market("shape-2", symbol="NOPE")))
    assert list(refused) == ["id", "status", "error", "rateLimits"]
    assert (refused["id"], refused["status"]) == (3, 400)
    assert refused["error"] == {"code": -1121, "msg": "Invalid symbol."}
    assert sim.audit.accepted["shape-1"] == 1


async def test_methods_answer_what_rest_answers(
    sim: Simulator, ws: Ws, creds: Credentials, client
) -> None:
    """Each mapped method runs its REST endpoint: same JSON, same weight."""
    placed = await ws.call(
        "order.place",
        ws.signed(creds, market("m-1", type="LIMIT", price="48000", timeInForce="GTC")),
    )
    order_id = placed["result"]["orderId"]
    status = await ws.call(
        "order.status", ws.signed(creds, {"symbol": "BTCUSDT", "orderId": order_id})
    )
    rest = await client.signed("GET", "/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": order_id})
    assert status["result"] == rest.json
    modified = await ws.call(
        "order.modify",
        ws.signed(
            creds,
            {
                "symbol": "BTCUSDT",
                "orderId": order_id,
                "side": "BUY",
                "quantity": "0.02",
                "price": "48001",
            },
        ),
    )
    assert modified["result"]["price"] == "48001.00", modified
    cancelled = await ws.call(
        "order.cancel", ws.signed(creds, {"symbol": "BTCUSDT", "orderId": order_id})
    )
    assert cancelled["result"]["status"] == "CANCELED"
    algo = await ws.call(
        "algoOrder.place",
        ws.signed(
            creds,
            {
                "algoType": "CONDITIONAL",
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "STOP_MARKET",
                "quantity": "0.01",
                "triggerPrice": "60000",
                "clientAlgoId": "algo-1",
            },
        ),
    )
    assert algo["status"] == 200, algo
    gone = await ws.call("algoOrder.cancel", ws.signed(creds, {"clientAlgoId": "algo-1"}))
    assert gone["status"] == 200, gone
    for method, path in [
        ("account.balance", "/fapi/v2/balance"),
        ("v2/account.balance", "/fapi/v3/balance"),
        ("account.position", "/fapi/v2/positionRisk"),
        ("v2/account.position", "/fapi/v3/positionRisk"),
        ("account.status", "/fapi/v2/account"),
        ("v2/account.status", "/fapi/v3/account"),
    ]:
        before = sim.used_weight(IP)
        answer = await ws.call(method, ws.signed(creds, {}))
        assert sim.used_weight(IP) - before == 5, method
        rest = await client.signed("GET", path)
        assert answer["result"] == rest.json, method
    assert [r.status for r in ws_records(sim, "v2/account.status")] == [200]


async def test_many_in_flight_answered_as_each_completes(
    sim: Simulator, ws: Ws, creds: Credentials
) -> None:
    """Ten requests in flight: the slow ones do not hold up the rest; every id is answered."""
    sim.inject_next("slow", count=5, delay_s=0.3)
    ids = {}
    for n in range(10):
        ids[await ws.send("order.place", ws.signed(creds, market(f"many-{n}")))] = f"many-{n}"
    answers = [await ws.recv() for _ in range(10)]
    order = [a["id"] for a in answers]
    assert sorted(order) == sorted(ids)
    assert order[:5] == list(ids)[5:]  # the unhindered ones first
    for answer in answers:
        assert answer["result"]["clientOrderId"] == ids[answer["id"]]


# -- parameters and malformed frames ------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "rid", "code"),
    [
        (b"not json", None, -1135),
        (b"[1, 2]", None, -1135),
        (b'{"id": 1.5, "method": "time"}', None, -1135),
        (b'{"id": 7}', 7, -1135),
        (b'{"id": "x", "method": "time", "params": [1]}', "x", -1135),
        (b'{"id": 8, "method": "order.launch", "params": {}}', 8, -1020),
    ],
)
async def test_malformed_frames(
    sim: Simulator, ws: Ws, frame: bytes, rid: object, code: int
) -> None:
    """Unreadable frames: 400 with the id when it can be read; no weight; audited."""
    await ws.ws.send_str(frame.decode())
    answer = await ws.recv()
    assert (answer["id"], answer["status"], answer["error"]["code"]) == (rid, 400, code)
    assert weight_count(answer) == 5
    record = sim.audit.requests[-1]
    assert (record.method, record.body, record.status, record.code, record.weight) == (
        "WS",
        frame,
        400,
        code,
        0,
    )


async def test_binary_frame_is_refused(ws: Ws) -> None:
    """Requests are text frames: a binary one is answered 400 -1135 with id null."""
    await ws.ws.send_bytes(b'{"id": 1, "method": "time"}')
    answer = await ws.recv()
    assert (answer["id"], answer["status"], answer["error"]["code"]) == (None, 400, -1135)


async def test_parameter_values(sim: Simulator, ws: Ws, creds: Credentials) -> None:
    """Integers and booleans arrive as their text (and are signed so); numbers with a fraction
    -1100; null, objects and lists -1102."""
    ok = await ws.call(
        "order.place", ws.signed(creds, market("p-1", reduceOnly=False, recvWindow=5000))
    )
    assert ok["status"] == 200, ok
    order = sim.order(client_order_id="p-1")
    assert order is not None
    for value, code in [(0.01, -1100), (None, -1102), ({"a": 1}, -1102), ([1], -1102)]:
        answer = await ws.call("order.place", ws.signed(creds, market("p-2", quantity=value)))
        assert (answer["status"], answer["error"]["code"]) == (400, code), value
    assert sim.order(client_order_id="p-2") is None


# -- signing and sessions -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
async def test_signed_requests_per_key_kind(sim: Simulator, ws: Ws, kind: str) -> None:
    """Each key kind signs the sorted params; a changed param or a bad signature is -1022."""
    creds = sim.new_credentials(kind)  # type: ignore[arg-type]
    good = ws.signed(creds, market(f"sig-{kind}"))
    placed = await ws.call("order.place", good)
    assert placed["status"] == 200, placed
    params = ws.signed(creds, market(f"sig-{kind}-2"))
    params["quantity"] = "0.02"
    assert (await ws.call("order.place", params))["error"]["code"] == -1022
    params = ws.signed(creds, market(f"sig-{kind}-3"), signature="AAAA")
    assert (await ws.call("order.place", params))["error"]["code"] == -1022
    (record, *_) = ws_records(sim, "order.place")
    assert (record.api_key, record.account, record.query) == (creds.api_key, "main", "")
    assert orjson.loads(record.body)["params"] == good  # the raw frame, signature as sent


async def test_reference_vectors(sim: Simulator, ws: Ws) -> None:
    """signature-vectors.md A7 (HMAC) and C3c (Ed25519) sign the same sorted payload."""
    sim.clock.freeze(1668481559918 + 100)
    sim.register_key("TESTKEY", hmac_secret=A1_SECRET)
    hmac_answer = await ws.call("order.place", {**A7_PARAMS, "signature": A7_HMAC})
    private = serialization.load_pem_private_key(ED25519_PEM, password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    sim.register_key("TESTKEY", public_key_pem=public_pem)
    ed_answer = await ws.call("order.place", {**A7_PARAMS, "signature": C3C_ED25519})
    for answer in (hmac_answer, ed_answer):  # past the signature and the timing checks
        assert answer.get("error", {}).get("code") not in (-1022, -1021, -2014, -2015), answer
    stale = await ws.call("order.place", {**A7_PARAMS, "signature": A7_HMAC})
    assert stale["error"]["code"] == -1022  # now an Ed25519 key


async def test_missing_or_unknown_api_key(ws: Ws, creds: Credentials) -> None:
    """No apiKey: 401 -2014; an unknown one: 401 -2015 (signed and key-only methods alike)."""
    params = ws.signed(creds, market("k-1"))
    del params["apiKey"]
    answer = await ws.call("order.place", params)
    assert (answer["status"], answer["error"]["code"]) == (401, -2014)
    answer = await ws.call("order.place", {**params, "apiKey": "nobody"})
    assert (answer["status"], answer["error"]["code"]) == (401, -2015)
    answer = await ws.call("userDataStream.start", {})
    assert (answer["status"], answer["error"]["code"]) == (401, -2014)
    answer = await ws.call("userDataStream.start", {"apiKey": creds.api_key})
    assert "listenKey" in answer["result"]


async def test_timing_rule(sim: Simulator, ws: Ws, creds: Credentials) -> None:
    """-1021 for a timestamp older than recvWindow or 1000 ms ahead, as over REST."""
    now = sim.clock.now_ms()
    old = await ws.call("order.place", ws.signed(creds, market("t-1"), timestamp=now - 5001))
    ahead = await ws.call("order.place", ws.signed(creds, market("t-2"), timestamp=now + 1000))
    edge = await ws.call(
        "order.place", ws.signed(creds, market("t-3"), timestamp=now - 6000, recvWindow=6000)
    )
    assert (old["error"]["code"], ahead["error"]["code"], edge["status"]) == (-1021, -1021, 200)


@pytest.mark.parametrize("kind", ["hmac", "rsa"])
async def test_logon_refuses_other_key_kinds(sim: Simulator, ws: Ws, kind: str) -> None:
    """session.logon takes Ed25519 keys only: HMAC and RSA get 400 -4056."""
    creds = sim.new_credentials(kind)  # type: ignore[arg-type]
    answer = await ws.call("session.logon", ws.signed(creds, {}))
    assert (answer["status"], answer["error"]) == (
        400,
        {"code": -4056, "msg": "Invalid api key type."},
    )
    status = await ws.call("session.status")
    assert status["result"]["apiKey"] is None


async def test_session_logon_status_logout(sim: Simulator, ws: Ws, creds: Credentials) -> None:
    """After an Ed25519 logon, SIGNED requests need only a timestamp; logout forgets the key."""
    ed = sim.new_credentials("ed25519")
    now = sim.clock.now_ms()
    logon = await ws.call("session.logon", ws.signed(ed, {}))
    assert logon["result"] == {
        "apiKey": ed.api_key,
        "authorizedSince": now,
        "connectedSince": now,
        "returnRateLimits": True,
        "serverTime": now,
    }
    assert weight_count(logon) == 7  # handshake 5 + 2
    placed = await ws.call("order.place", {**market("s-1"), "timestamp": now})
    assert placed["status"] == 200, placed
    assert ws_records(sim, "order.place")[-1].api_key == ed.api_key
    no_time = await ws.call("order.place", market("s-2"))
    assert no_time["error"]["code"] == -1102
    late = await ws.call("order.place", {**market("s-3"), "timestamp": now - 5001})
    assert late["error"]["code"] == -1021
    other = await ws.call("order.place", ws.signed(creds, market("s-4")))  # its own key
    assert other["status"] == 200
    forged = await ws.call("order.place", ws.signed(creds, market("s-5"), signature="00"))
    assert forged["error"]["code"] == -1022
    status = await ws.call("session.status")
    assert (status["result"]["apiKey"], status["result"]["authorizedSince"]) == (ed.api_key, now)
    logout = await ws.call("session.logout")
    assert (logout["result"]["apiKey"], logout["result"]["authorizedSince"]) == (None, None)
    after = await ws.call("order.place", {**market("s-6"), "timestamp": now})
    assert (after["status"], after["error"]["code"]) == (401, -2014)


# -- one budget with REST -----------------------------------------------------------------------


async def test_weight_shared_with_rest(sim: Simulator, ws: Ws, creds: Credentials, client) -> None:
    """rateLimits counts and X-MBX-USED-WEIGHT-1M read the same per-IP window."""
    first = await ws.call("time")
    rest = await client.signed("GET", "/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": 1})
    assert int(rest.headers["X-MBX-USED-WEIGHT-1M"]) == weight_count(first) + 1
    second = await ws.call("v2/account.balance", ws.signed(creds, {}))
    assert weight_count(second) == int(rest.headers["X-MBX-USED-WEIGHT-1M"]) + 5
    assert sim.used_weight(IP) == weight_count(second)


async def test_429_carries_retry_after(sim: Simulator, ws: Ws) -> None:
    """Over the weight: 429 -1003 with data.retryAfter, the ms epoch Retry-After names."""
    sim.preload_weight(IP, 2400 - sim.used_weight(IP))
    over = await ws.call("time")
    now = T0 + 2500
    assert (over["status"], over["error"]["code"]) == (429, -1003)
    assert over["error"]["data"] == {"serverTime": now, "retryAfter": now + 58_000}
    assert weight_count(over) == 2400


async def test_banned_ip_gets_418_until_the_ban_ends(sim: Simulator, ws: Ws, client) -> None:
    """A ban (here from an injected 418) answers every request 418, data.retryAfter its end."""
    sim.inject_next("http_418", endpoint=("GET", "/fapi/v1/time"))
    await ws.call("time")
    banned = await ws.call("time")
    until = int(re.findall(r"banned until (\d+)", banned["error"]["msg"])[0])
    assert (banned["status"], banned["error"]["code"]) == (418, -1003)
    assert banned["error"]["data"] == {"serverTime": T0 + 2500, "retryAfter": until}
    assert until == T0 + 2500 + 120_000
    assert (await client.public("GET", "/fapi/v1/ping")).status == 418  # REST too


@pytest.mark.parametrize(
    "limits", [RateLimitConfig(order_limits=((2, "SECOND", 10), (1200, "MINUTE", 1)))]
)
async def test_order_windows(sim: Simulator, ws: Ws, creds: Credentials, client) -> None:
    """WS and REST placements count on one account's windows; over it 429 -1015."""
    one = await ws.call("order.place", ws.signed(creds, market("o-1")))
    await client.signed("POST", "/fapi/v1/order", market("o-2"))
    three = await ws.call("order.place", ws.signed(creds, market("o-3")))
    assert [i["count"] for i in one["rateLimits"][1:]] == [1, 1]
    assert (three["status"], three["error"]["code"]) == (429, -1015)
    assert three["error"]["data"]["retryAfter"] == T0 + 10_500  # Retry-After 8 s (7.5 left)
    assert [i["count"] for i in three["rateLimits"][1:]] == [2, 2]
    assert three["rateLimits"][1]["limit"] == 2
    assert sim.order(client_order_id="o-3") is None


# -- faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "code", "msg", "executed"),
    [
        ("unknown_executed", 503, -1000, "Unknown error, please check your request", True),
        ("unknown_not_executed", 503, -1000, "Unknown error, please check your request", False),
        ("unavailable", 503, None, "Service Unavailable.", False),
        ("throttled", 503, -1008, "Request throttled by system-level protection.", False),
        ("invalid_timestamp", 400, -1021, "Timestamp for this request is outside", False),
        ("http_429", 429, -1003, "Too many requests", False),
        ("http_418", 418, -1003, "Way too many requests", False),
    ],
)
async def test_answering_faults(
    sim: Simulator,
    ws: Ws,
    creds: Credentials,
    kind: str,
    status: int,
    code: int | None,
    msg: str,
    executed: bool,
) -> None:
    """A fault injected on POST /fapi/v1/order answers order.place in WebSocket form."""
    sim.inject_next(kind)  # type: ignore[arg-type]
    answer = await ws.call("order.place", ws.signed(creds, market("f-1")))
    assert answer["status"] == status
    assert answer["error"]["msg"].startswith(msg)
    if kind == "unavailable":
        assert answer["error"]["msg"] == "Service Unavailable."
    else:
        assert answer["error"]["code"] == code
    if status in (418, 429):
        assert answer["error"]["data"]["retryAfter"] > answer["error"]["data"]["serverTime"]
    assert (sim.order(client_order_id="f-1") is not None) == executed
    assert ws_records(sim, "order.place")[-1].fault == kind


async def test_drop_after_execute(sim: Simulator, ws: Ws, creds: Credentials) -> None:
    """The order is placed, the connection is closed abruptly, nothing in flight is answered."""
    sim.inject_next("slow", delay_s=5.0)
    sim.inject_next("drop_after_execute")
    await ws.send("order.place", ws.signed(creds, market("d-slow")))
    await ws.send("order.place", ws.signed(creds, market("d-1")))
    msg = await ws.closed()
    assert msg.type is not aiohttp.WSMsgType.TEXT
    assert sim.order(client_order_id="d-1") is not None
    assert sim.order(client_order_id="d-slow") is not None
    records = ws_records(sim, "order.place")
    assert [(r.status, r.fault) for r in records] == [(None, "slow"), (None, "drop_after_execute")]
    await wait_for(lambda: sim.ws_api_connections == 0)


async def test_drop_before_execute(sim: Simulator, ws: Ws, creds: Credentials) -> None:
    """The connection is closed and the order never placed."""
    sim.inject_next("drop_before_execute")
    await ws.send("order.place", ws.signed(creds, market("d-2")))
    await ws.closed()
    assert sim.order(client_order_id="d-2") is None
    assert ws_records(sim, "order.place")[-1].status is None


async def test_slow_and_held_do_not_hold_up_others(
    sim: Simulator, ws: Ws, creds: Credentials
) -> None:
    """slow (after executing) and delay_before_execute (before) delay only their own answer."""
    sim.inject_next("slow", delay_s=0.2)
    sim.inject_next("delay_before_execute", delay_s=0.1)
    slow = await ws.send("order.place", ws.signed(creds, market("w-1")))
    held = await ws.send("order.place", ws.signed(creds, market("w-2")))
    quick = await ws.send("time")
    assert [(await ws.recv())["id"] for _ in range(3)] == [quick, held, slow]
    assert [r.fault for r in ws_records(sim, "order.place")] == ["slow", "delay_before_execute"]


async def test_drop_connections_now(sim: Simulator, ws: Ws) -> None:
    """sim.ws_api_drop_connections closes every connection at once."""
    assert sim.ws_api_drop_connections() == 1
    await ws.closed()
    await wait_for(lambda: sim.ws_api_connections == 0)


# -- rate limits shown or not -------------------------------------------------------------------


async def test_return_rate_limits_false(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """returnRateLimits=false in the URL hides rateLimits; a request's own value wins."""
    async with session.ws_connect(sim.ws_api_url + "?returnRateLimits=false") as conn:
        hidden = Ws(conn, sim)
        assert "rateLimits" not in await hidden.call("time")
        assert "rateLimits" in await hidden.call("time", {"returnRateLimits": True})
        status = await hidden.call("session.status")
        assert status["result"]["returnRateLimits"] is False
    async with session.ws_connect(sim.ws_api_url) as conn:
        shown = Ws(conn, sim)
        assert "rateLimits" not in await shown.call("time", {"returnRateLimits": False})
        assert "rateLimits" in await shown.call("time")


# -- lifetime and keep-alive --------------------------------------------------------------------


@pytest.fixture
async def short_sim() -> AsyncIterator[Simulator]:
    """A simulator whose connections live 0.3 s, pinged every 0.05 s, pong due within 0.15 s."""
    async with Simulator(
        ws_api_max_lifetime_s=0.3, ws_api_ping_interval_s=0.05, ws_api_pong_timeout_s=0.15
    ) as simulator:
        yield simulator


async def test_lifetime_close(short_sim: Simulator, session: aiohttp.ClientSession) -> None:
    """At the end of its lifetime the server closes (1001); an answer still due is lost."""
    creds = short_sim.new_credentials("hmac")
    short_sim.inject_next("slow", delay_s=5.0)
    async with session.ws_connect(short_sim.ws_api_url) as conn:
        ws = Ws(conn, short_sim)
        await ws.send("order.place", ws.signed(creds, market("life-1")))
        msg = await ws.closed()
        assert (msg.type, msg.data) == (aiohttp.WSMsgType.CLOSE, 1001)
    assert short_sim.order(client_order_id="life-1") is not None
    assert [r.status for r in ws_records(short_sim, "order.place")] == [None]
    await wait_for(lambda: short_sim.ws_api_connections == 0)


async def test_pings_and_pong_timeout(short_sim: Simulator, session: aiohttp.ClientSession) -> None:
    """The server pings; a client that never answers is dropped after the pong timeout."""
    async with session.ws_connect(short_sim.ws_api_url, autoping=False) as conn:
        async with asyncio.timeout(TIMEOUT_S):
            ping = await conn.receive()
        assert ping.type is aiohttp.WSMsgType.PING
        msg = await Ws(conn, short_sim).closed()
        assert msg.type is not aiohttp.WSMsgType.CLOSE  # dropped, no close frame


async def test_pongs_keep_the_connection(session: aiohttp.ClientSession) -> None:
    """A client answering the pings stays connected past the pong timeout."""
    async with (
        Simulator(ws_api_ping_interval_s=0.05, ws_api_pong_timeout_s=0.15) as pinging,
        session.ws_connect(pinging.ws_api_url) as conn,  # aiohttp answers pings in receive
    ):
        with pytest.raises(TimeoutError):  # pings only (answered inside receive), for 0.4 s
            async with asyncio.timeout(0.4):
                await conn.receive()
        assert pinging.ws_api_connections == 1
        assert (await Ws(conn, pinging).call("time"))["status"] == 200


async def test_latency_applies(sim: Simulator, ws: Ws) -> None:
    """set_latency delays WebSocket answers too."""
    sim.set_latency(request_ms=60, response_ms=60)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await ws.call("time")
    assert loop.time() - started >= 0.12
