"""Signing: the documented vectors (reference/signature-vectors.md) through the public API."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

import pytest

from binance_async.encoding import encode_params
from binance_async.errors import InvalidRequest
from binance_async.http import HttpTransport
from binance_async.signing import Ed25519Signer, HmacSigner, RsaSigner, Signer, make_signer

FAPI_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
A1_PAYLOAD = (
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
    "&recvWindow=5000&timestamp=1591702613943"
)
B3A_PAYLOAD = (
    "timestamp=1671090801999&recvWindow=9999999&symbol=BTCUSDT&side=SELL&type=MARKET&quantity=1.23"
)

RSA_SAMPLE_KEY = b"""-----BEGIN PRIVATE KEY-----
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
ED25519_RFC8032_KEY = b"""-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
"""


def rest(signer: Signer, payload: bytes) -> str:
    """The signature as it goes on a REST request (URL-encoded when it is base64)."""
    raw = signer.sign(payload)
    return raw if signer.url_safe else quote(raw, safe="")


def test_http_transport_url_encodes_base64_signatures_only() -> None:
    """The HTTP transport appends recvWindow, timestamp and the signature last; a base64
    signature is URL-encoded there, a hex one is not."""
    http = HttpTransport(base_url="http://127.0.0.1:9", api_key="k", recv_window_ms=5000)
    hmac_signer = make_signer(api_secret=FAPI_SECRET)
    rsa_signer = make_signer(private_key=RSA_SAMPLE_KEY)
    assert hmac_signer is not None and rsa_signer is not None
    payload = "symbol=BTCUSDT&recvWindow=5000&timestamp=1591702613943"
    assert http.sign("symbol=BTCUSDT", 1591702613943, hmac_signer) == (
        f"{payload}&signature={hmac_signer.sign(payload.encode())}"
    )
    raw = rsa_signer.sign(payload.encode())
    assert "+" in raw or "/" in raw or "=" in raw
    assert http.sign("symbol=BTCUSDT", 1591702613943, rsa_signer) == (
        f"{payload}&signature={quote(raw, safe='')}"
    )


def test_hmac_fapi_vector_a1() -> None:
    """HMAC over the fapi docs payload gives the published hex signature."""
    signer = make_signer(api_secret=FAPI_SECRET)
    assert isinstance(signer, HmacSigner)
    assert signer.sign(A1_PAYLOAD.encode()) == (
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    )


def test_hmac_keys_of_every_length_around_the_block_size() -> None:
    """RFC 4231's vectors (a short key; a key longer than the block, hashed first) and keys
    of 63, 64 and 65 bytes sign as the standard library's hmac does, every time."""
    short = HmacSigner(b"\x0b" * 20)
    assert short.sign(b"Hi There") == (
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    )
    long_key = HmacSigner(b"\xaa" * 131)
    payload = b"Test Using Larger Than Block-Size Key - Hash Key First"
    for _ in range(2):  # a signature leaves the keyed state as it was
        assert long_key.sign(payload) == (
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
    for size in (63, 64, 65):
        key = bytes(range(1, size + 1))
        for body in (b"", A1_PAYLOAD.encode()):
            expected = hmac.new(key, body, hashlib.sha256).hexdigest()
            assert HmacSigner(key).sign(body) == expected


def test_hmac_mixed_query_body_vector_a2_corrected() -> None:
    """Query and body concatenated without '&' sign to the corrected 30baaf0f... value."""
    signer = make_signer(api_secret=FAPI_SECRET)
    assert signer is not None
    total = (
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
        + "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
    )
    assert signer.sign(total.encode()) == (
        "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
    )


def test_hmac_spot_vectors_a3_and_a4_non_ascii() -> None:
    """A non-ASCII symbol is percent-encoded by encode_params before signing (vector A4)."""
    signer = make_signer(api_secret=SPOT_SECRET)
    assert signer is not None
    a3 = encode_params(
        [
            ("symbol", "LTCBTC"),
            ("side", "BUY"),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("quantity", 1),
            ("price", "0.1"),
            ("recvWindow", 5000),
            ("timestamp", 1499827319559),
        ]
    )
    assert signer.sign(a3.encode()) == (
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    a4 = a3.replace("symbol=LTCBTC", "symbol=" + encode_params({"s": "１２３４５６"})[2:])
    assert a4.startswith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&")
    assert signer.sign(a4.encode()) == (
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
    )


def test_rsa_vectors_b3_url_encoded() -> None:
    """The Binance sample RSA key signs B3a/B3b to the listed values, URL-encoded."""
    signer = make_signer(private_key=RSA_SAMPLE_KEY)
    assert isinstance(signer, RsaSigner)
    assert rest(signer, B3A_PAYLOAD.encode()) == (
        "M2Z7NuYoQMqQQO8kYcolDM2PjOd%2BQs8Okyz65ejhjoRJ1nHwHBPlOMRcZVbwr1pLvxGIrgg5iZHqzUkN"
        "%2Bi5rfIy79ZDbnc%2BDyRxK6G3s9xML8%2BeUU4RuaIIC4%2F8lLA08VAy2F0%2FnusHfTSnK0d5e6jSax"
        "YQrAYT7CQRkCJjjLE%2FsUqUFpfIZDahoj0SVUkPH1ANTblDdqJemF8uBbYjExd2wGT31zE2ChYuPyoMYp7"
        "wrRH2XwDn7MAtXeZvo3tdvn1GBRQmrWxmRVFD9qfP8hhxD%2B6Tp3jmMt8roSNehUrSooL9P3%2BU%2FTm0"
        "R4LwgpuwmEOyzYBSB5VJM8LqpHybWag%3D%3D"
    )
    assert rest(signer, A1_PAYLOAD.encode()).startswith("xCWwhWTWYQx2Movrw5RT9vphkPvfX3nvDQx")
    assert rest(signer, A1_PAYLOAD.encode()).endswith("FRPiFD2BIQ%3D%3D")


def test_ed25519_vectors_c3() -> None:
    """The RFC 8032 test key signs C3a/C3b to the listed values, URL-encoded."""
    signer = make_signer(private_key=ED25519_RFC8032_KEY)
    assert isinstance(signer, Ed25519Signer)
    assert rest(signer, B3A_PAYLOAD.encode()) == (
        "qpPqj9%2FM2kbOIp%2B0Srtb9BAqCDuerbkDibsj%2FKiNydjCAqNTLC2OdUgCq%2FStcxWSXc2vDgmJ"
        "%2FhTEuBgJX%2BbwBw%3D%3D"
    )
    assert rest(signer, A1_PAYLOAD.encode()) == (
        "ATEuJPvzWUFs0d1x9FwudUJsSfMMWR%2BbkdrxtbOYgFkZj36Ol%2FvwKDGm9UWtKuq0mtnSTOQruQAwFvR"
        "128PaDg%3D%3D"
    )


def test_key_loaded_from_path(tmp_path: object) -> None:
    """A private key given as a file path is read and its type detected."""
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    path = tmp_path / "ed.pem"
    path.write_bytes(ED25519_RFC8032_KEY)
    assert isinstance(make_signer(private_key=path), Ed25519Signer)
    assert isinstance(make_signer(private_key=str(path)), Ed25519Signer)


def test_no_key_material_in_reprs_or_errors() -> None:
    """Signer reprs and key-loading errors never show the key."""
    for signer in (
        make_signer(api_secret=FAPI_SECRET),
        make_signer(private_key=RSA_SAMPLE_KEY),
        make_signer(private_key=ED25519_RFC8032_KEY),
    ):
        assert FAPI_SECRET not in repr(signer)
        assert "MII" not in repr(signer) and "MC4" not in repr(signer)
    broken = RSA_SAMPLE_KEY.replace(b"MIIEvg", b"AAAAvg")
    with pytest.raises(InvalidRequest) as info:
        make_signer(private_key=broken)
    assert "AAAAvg" not in str(info.value) and "KEY-----" not in str(info.value)


def test_secret_and_private_key_together_refused() -> None:
    """Giving both an HMAC secret and a private key is an error, not a guess."""
    with pytest.raises(InvalidRequest):
        make_signer(api_secret=FAPI_SECRET, private_key=ED25519_RFC8032_KEY)
