"""Signature checks against the published vectors (reference/signature-vectors.md)."""

from __future__ import annotations

from urllib.parse import quote, unquote_plus

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from binance_async.testing import Simulator
from binance_async.testing.auth import KeyStore, verify_signature
from binance_async.testing.params import parse_params

A1_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
A1_KEY = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"
A1_PAYLOAD = (
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
    "&recvWindow=5000&timestamp=1591702613943"
)
A1_SIG = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
A2_QUERY = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
A2_BODY = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
A2_SIG = "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
A2_PUBLISHED = "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2"

RSA_PRIVATE = b"""-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDPrfWMr2yqxJgJ
cIyA5TDFpZBlB9E3RMbbEcPZijmPDiciZjuRiD1Q6oQzi1MFGTZ523HwSXe9XG3R
NQaLCjxi+VkLsvCoxzgurkWXoQr0VHJyEDxnyRaCzTyvvHQgt0LKCWfqalYNz0ue
doxnYnde3DH/tFFXX0/rTkJyK6LpOyKOAqE0G7OhuQWkLvlUO8mqwtGNqdrtOgzv
kTN5rhb5VeWB4JGWDcAYFb9CQI9wD7/JJU1XQGIOJEY3L/PjGLcjDEiROt57/RS3
i6OVTiAgDcgA405tNLgS326hfbEchI5tKeOxqrFYVfvOK8+4o+rrUBnMhrBg0tJv
1feQKeAnAgMBAAECggEAUdB8PZIWQyfzpTRbhaPElPhmbAaqWxWTKVZUS2zyw/KV
ZC3WJb0AOtJIhm3KpOWL2nGi70BiFY1GDfbPvxKnO25zr/IscLEa5vjsnZFp2Vsz
QtA2m8RSQ/FKiQi6zvCjNSiDcYu2nvYdGi4lnczirdIdOFj2+m6n81D/SC78nNhj
P/JLbSPFw+XOfVqOVelXHw7XGtMH9dgFjWDdB317HcJjZyPDahpQQ7s6PcecDwuv
Qucs+Hi4sAWiHOiwKusx3sT/NL5Og/jAvC5aMy1QswWFnPr90T3qFE4MN1GZszzX
DmDkWaGaRwuwdpi/ocIZF3R9XX3m+WOVdEZRfzzcEQKBgQDt11achN666/j1kgQM
xPdzo06eUUZb/JUtEXz8hU+AzRsN/eso/47pjaPq7nrXFYE4aEx7Je2I9S52Y+b/
SLrctuza25VOxvqIpDynlvM/Iatg9WuTEIuOk7gkBFanDNjDjZDKFuDYSEfN+sX+
UakFT7cm+xu12PWR8HlZmFZL5QKBgQDfiRrC8zADSIE74uFBJ5K88t6cwrktqdPH
9QT69j+VpRXssyUoCfR4/zchKbEyTwSASvL1saJR14Opmvn6Le+0DKq+EV7Z1UM6
svVIzd9pWWMhRh9G83CC5Krx9Ie+34QHNRxBf+rya5if/aBCDtBFedRGbR6Le8MB
yvrpT5hzGwKBgQCU2+QPjnHA2BQ3zq3OODEQJTP9jqzUwd+0F2/8tIsv+C9osHXQ
cTLHJqljTuN/XqxD27OSmAh1Yc80tg5L1P9vSOYxjKGEbrE7eF+mHKod5zrWMoSj
xQUztWzYzgZWA4pfymjGs08Czypx1vS42e9JrbzaHuwXArWgI7wvwVKxqQKBgQCS
ByIZav7Zljr+oUdf5fdBQjPVGowYXZJBVTpMrCN7od4BxEIotuAjTy53lqHwaJhb
KxsvED0m0/BqExjsq6ek6oV8JyLckSobJZ+BUSR60O8mZIW4Nv4wNCvMZl9rfN7m
SnbL/0G/3jRViD1yCfVa/ayD2XMT0eThvfVOBzZjMwKBgB5jasP9TcDAyaEKta+g
6glTM0MKUWfhZzYRbvDXdnatjjMEdixWm9aXwc0Nw+aN0KkdLBwvnDiVMtX+Xl2n
BU2Gxxe3H8qrvkoi8zmzh3VWpqzfB+L3sXAq+6VNNYLEFLBR6D2u4DD86FvY+DsU
miJlY6JEKpSxvkrS04XrbvHk
-----END PRIVATE KEY-----
"""
B3A_PAYLOAD = (
    "timestamp=1671090801999&recvWindow=9999999&symbol=BTCUSDT&side=SELL&type=MARKET&quantity=1.23"
)
B3A_SIG = (
    "M2Z7NuYoQMqQQO8kYcolDM2PjOd%2BQs8Okyz65ejhjoRJ1nHwHBPlOMRcZVbwr1pLvxGIrgg5iZHqzUkN%2Bi5rfIy79"
    "ZDbnc%2BDyRxK6G3s9xML8%2BeUU4RuaIIC4%2F8lLA08VAy2F0%2FnusHfTSnK0d5e6jSaxYQrAYT7CQRkCJjjLE%2Fs"
    "UqUFpfIZDahoj0SVUkPH1ANTblDdqJemF8uBbYjExd2wGT31zE2ChYuPyoMYp7wrRH2XwDn7MAtXeZvo3tdvn1GBRQmrW"
    "xmRVFD9qfP8hhxD%2B6Tp3jmMt8roSNehUrSooL9P3%2BU%2FTm0R4LwgpuwmEOyzYBSB5VJM8LqpHybWag%3D%3D"
)
B3B_SIG_B64 = (
    "xCWwhWTWYQx2Movrw5RT9vphkPvfX3nvDQxBS3h0cxm5zRyLWyV4sil39gb/vh6oy4DtIsHkkGwKXp3LYe5wXaQlTPQ2"
    "IUWdTwmaVRjh3X7SPqByP8AEL1DcSRPxNt/unyrZsee7qiQIaEod8uNxjx0++pny0dL5HXuN3TKYBVpTMmNxuTgkXixcj"
    "DNVRiCmgqCe4dBxc7rPrcBo/Oh5Ifg0wgj0/jJWce57J/LuDR+ogO5XEfRH4SvXQSdewhzVNnkVM4qF1X5tkqT66DFOwU"
    "mdXSM/2Qim11DLurQy0nOxfJJ4Rc/zwtESb5WShuibdz47ttso7SQOFRPiFD2BIQ=="
)
ED_PRIVATE = b"""-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
"""
C3A_SIG = (
    "qpPqj9%2FM2kbOIp%2B0Srtb9BAqCDuerbkDibsj%2FKiNydjCAqNTLC2OdUgCq%2FStcxWSXc2vDgmJ%2FhTEuBgJX"
    "%2BbwBw%3D%3D"
)
C3B_SIG = (
    "ATEuJPvzWUFs0d1x9FwudUJsSfMMWR%2BbkdrxtbOYgFkZj36Ol%2FvwKDGm9UWtKuq0mtnSTOQruQAwFvR128PaDg"
    "%3D%3D"
)


def _public_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _entry(**kwargs: object):
    return KeyStore().register("k", **kwargs)


def test_hmac_vector_a1_verifies() -> None:
    """A1: the fapi docs' HMAC example verifies; upper-case hex is accepted too."""
    entry = _entry(hmac_secret=A1_SECRET)
    assert verify_signature(entry, A1_PAYLOAD.encode(), A1_SIG)
    assert verify_signature(entry, A1_PAYLOAD.encode(), A1_SIG.upper())
    assert not verify_signature(entry, A1_PAYLOAD.encode() + b"0", A1_SIG)


def test_mixed_query_and_body_signs_concatenation_a2() -> None:
    """A2: query and body join with no '&'; corrected 30baaf0f... verifies, f9d0ae5e... not."""
    entry = _entry(hmac_secret=A1_SECRET)
    parsed = parse_params(A2_QUERY, f"{A2_BODY}&signature={A2_SIG}".encode())
    assert parsed.error is None
    assert parsed.payload == (A2_QUERY + A2_BODY).encode()
    assert parsed.params["timeInForce"] == "GTC" and parsed.params["quantity"] == "1"
    assert verify_signature(entry, parsed.payload, A2_SIG)
    assert not verify_signature(entry, parsed.payload, A2_PUBLISHED)


@pytest.mark.parametrize(
    ("payload", "wire_sig"),
    [(B3A_PAYLOAD, B3A_SIG), (A1_PAYLOAD, quote(B3B_SIG_B64, safe=""))],
    ids=["B3a", "B3b"],
)
def test_rsa_vectors_verify(payload: str, wire_sig: str) -> None:
    """B3a/B3b: RSA PKCS#1 v1.5 SHA-256 signatures of the Binance sample key verify."""
    entry = _entry(public_key_pem=_public_pem(RSA_PRIVATE))
    parsed = parse_params(f"{payload}&signature={wire_sig}", b"")
    assert parsed.payload == payload.encode()
    assert parsed.signature is not None
    assert verify_signature(entry, parsed.payload, parsed.signature)
    assert not verify_signature(entry, b"x" + parsed.payload, parsed.signature)


@pytest.mark.parametrize(
    ("payload", "wire_sig"), [(B3A_PAYLOAD, C3A_SIG), (A1_PAYLOAD, C3B_SIG)], ids=["C3a", "C3b"]
)
def test_ed25519_vectors_verify(payload: str, wire_sig: str) -> None:
    """C3a/C3b: Ed25519 signatures of the RFC 8032 test key verify."""
    entry = _entry(public_key_pem=_public_pem(ED_PRIVATE))
    parsed = parse_params(f"{payload}&signature={wire_sig}", b"")
    assert parsed.signature is not None
    assert verify_signature(entry, parsed.payload, parsed.signature)
    assert not verify_signature(entry, parsed.payload[:-1], parsed.signature)


def test_non_ascii_or_garbage_signature_does_not_verify() -> None:
    """A signature with non-ASCII or non-base64 characters is simply invalid (no crash)."""
    hmac_entry = _entry(hmac_secret=A1_SECRET)
    ed_entry = _entry(public_key_pem=_public_pem(ED_PRIVATE))
    for bad in ("é" * 64, "\ufffd", "", "not base64!"):
        assert not verify_signature(hmac_entry, A1_PAYLOAD.encode(), bad)
        assert not verify_signature(ed_entry, A1_PAYLOAD.encode(), bad)


def test_unencoded_base64_signature_is_refused() -> None:
    """A base64 signature sent without URL-encoding ('+' becomes a space) does not verify."""
    entry = _entry(public_key_pem=_public_pem(RSA_PRIVATE))
    raw = unquote_plus(B3A_SIG)
    parsed = parse_params(f"{B3A_PAYLOAD}&signature={raw}", b"")
    assert parsed.signature is not None
    assert not verify_signature(entry, parsed.payload, parsed.signature)


def test_signature_not_last_is_a_parse_error() -> None:
    """``signature`` followed by another parameter in its part is refused with -1022."""
    parsed = parse_params(f"symbol=BTCUSDT&signature={A1_SIG}&timestamp=1", b"")
    assert parsed.error is not None and parsed.error.code == -1022


def test_duplicate_parameter_is_a_parse_error() -> None:
    """The same name twice in one part is refused with -1101; query beats body silently."""
    assert parse_params("a=1&a=2", b"").error is not None
    parsed = parse_params("a=1", b"a=2")
    assert parsed.error is None and parsed.params["a"] == "1"


async def test_a1_request_accepted_end_to_end(sim: Simulator, client) -> None:
    """The A1 key signs a live request (timestamp from the sim clock) that the simulator accepts."""
    sim.register_key(A1_KEY, hmac_secret=A1_SECRET, account="a1")
    import hashlib
    import hmac

    payload = (
        A1_PAYLOAD.replace("1591702613943", str(sim.clock.now_ms()))
        .replace("price=9000", "price=49000")
        .replace("quantity=1&", "quantity=0.01&")
    )
    sig = hmac.new(A1_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    reply = await client.send(
        "POST", "/fapi/v1/order", query=f"{payload}&signature={sig}", api_key=A1_KEY
    )
    assert reply.status == 200, reply
    assert reply.json["status"] == "NEW"
    assert sim.audit.requests[-1].query == f"{payload}&signature={sig}"
    # The published A1 request itself is signed correctly but ~6 years old: -1021, not -1022.
    old = await client.send(
        "POST", "/fapi/v1/order", query=f"{A1_PAYLOAD}&signature={A1_SIG}", api_key=A1_KEY
    )
    assert (old.status, old.code) == (400, -1021)


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
async def test_generated_keys_sign_in_query_and_body(
    sim: Simulator, make_client, kind: str
) -> None:
    """Keys from new_credentials work with params in the query or the body."""
    c = make_client(sim.new_credentials(kind))
    in_query = await c.signed("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"})
    assert in_query.status == 200, in_query
    in_body = await c.signed(
        "DELETE", "/fapi/v1/allOpenOrders", {"symbol": "BTCUSDT"}, in_body=True
    )
    assert in_body.status == 200, in_body


async def test_wrong_signature_refused(client) -> None:
    """A signature over other bytes is refused with 400 -1022."""
    reply = await client.signed(
        "GET", "/fapi/v1/openOrders", tamper=lambda s: ("0" if s[0] != "0" else "1") + s[1:]
    )
    assert (reply.status, reply.json) == (
        400,
        {"code": -1022, "msg": "Signature for this request is not valid."},
    )


async def test_signature_not_last_refused(sim: Simulator, client, creds) -> None:
    """A valid signature that is not the last parameter is refused with -1022."""
    import hashlib
    import hmac

    payload = f"symbol=BTCUSDT&timestamp={sim.clock.now_ms()}"
    sig = hmac.new(creds.api_secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    ts, sym = payload.split("&")[1], payload.split("&")[0]
    reply = await client.send("GET", "/fapi/v1/openOrders", query=f"{sym}&signature={sig}&{ts}")
    assert reply.code == -1022


async def test_non_ascii_symbol_signed_percent_encoded(sim: Simulator, client) -> None:
    """A non-ASCII symbol is signed in its percent-encoded form, as sent."""
    reply = await client.signed("GET", "/fapi/v1/openOrders", {"symbol": "币安人生USDT"})
    assert reply.status == 200, reply
    assert "%E5%B8%81" in sim.audit.requests[-1].query


async def test_api_key_errors(client) -> None:
    """Missing key header: 401 -2014; unknown key: 401 -2015; missing signature: -1102."""
    missing = await client.send("GET", "/fapi/v1/openOrders", query="timestamp=1", api_key="")
    assert (missing.status, missing.code) == (401, -2014)
    unknown = await client.send("GET", "/fapi/v1/openOrders", query="timestamp=1", api_key="nokey")
    assert (unknown.status, unknown.code) == (401, -2015)
    unsigned = await client.send("GET", "/fapi/v1/openOrders", query="timestamp=1")
    assert (unsigned.status, unsigned.code) == (400, -1102)


async def test_body_needs_form_content_type(client) -> None:
    """Parameters in a body that is not application/x-www-form-urlencoded are not read."""
    reply = await client.send(
        "POST", "/fapi/v1/listenKey", body="timestamp=1", content_type="text/plain"
    )
    assert reply.status == 200  # USER_STREAM: no params needed, the body is ignored
    reply = await client.send(
        "GET", "/fapi/v1/openOrders", body="timestamp=1&signature=00", content_type="text/plain"
    )
    assert reply.code == -1102
