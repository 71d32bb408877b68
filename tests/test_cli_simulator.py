"""``python -m binance_async simulator``: options from flags, the environment and a credentials
file; --help; and the server end to end in a subprocess (fixed keys, clock, faults, control API
behind the printed token)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from binance_async import UMFutures
from binance_async.__main__ import main
from binance_async.testing.cli import add_arguments, options_from_args
from binance_async.testing.serve import make_simulator

HMAC_KEY, HMAC_SECRET = "K" * 64, "S" * 64


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def pem_files(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """An RSA public key file and an Ed25519 private key file (and the latter's private PEM)."""
    rsa_pub = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    rsa_file = tmp_path / "rsa.pub.pem"
    rsa_file.write_bytes(
        rsa_pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    ed_private = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ed_file = tmp_path / "ed25519.pem"
    ed_file.write_bytes(ed_private)
    return rsa_file, ed_file, ed_private


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    """--help exits 0; every option has a help text; the environment and control API are told."""
    with pytest.raises(SystemExit) as exc:
        main(["simulator", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    for action in parser._actions:
        assert action.help, action.option_strings
        assert action.option_strings[0] in out
    for text in ("BINANCE_SIM_API_KEY", "BINANCE_SIM_CREDENTIALS", "X-Sim-Token", "/_sim/"):
        assert text in out


def test_defaults() -> None:
    """No option: generated keys and token, the documented limits, no faults, no offset."""
    options = options_from_args(parse(), {})
    assert options.keys == () and options.control_token is None and options.faults is None
    assert options.rate_limits.weight_limit == 2400
    assert options.rate_limits.order_limits == ((300, "SECOND", 10), (1200, "MINUTE", 1))
    assert (options.clock_offset_ms, options.clock_drift_ppm) == (0.0, 0.0)


def test_every_option(tmp_path: Path) -> None:
    """Flags, environment and file together: every key registered, every setting carried."""
    rsa_file, ed_file, _ = pem_files(tmp_path)
    (tmp_path / "creds.json").write_text(
        json.dumps(
            {
                "keys": [
                    {"api_key": "FILE-HMAC", "api_secret": "fs"},
                    {"api_key": "FILE-RSA", "public_key_file": "rsa.pub.pem", "account": "sub"},
                ],
                "control_token": "from-file",
            }
        )
    )
    args = parse(
        "--hmac-key",
        HMAC_KEY,
        HMAC_SECRET,
        "--public-key",
        "FLAG-ED",
        str(ed_file),
        "--credentials",
        str(tmp_path / "creds.json"),
        "--weight-limit",
        "600",
        "--weight-window",
        "10s",
        "--order-limit",
        "50/10s",
        "--order-limit",
        "100/1m",
        "--ban-after-429s",
        "1",
        "--ban-grace-ms",
        "250",
        "--ban-initial-s",
        "5",
        "--ban-max-s",
        "60",
        "--clock-offset-ms",
        "1700",
        "--clock-drift-ppm",
        "-20",
        "--latency-ms",
        "3",
        "--response-latency-ms",
        "4",
        "--faults",
        "unknown_executed=0.1, unavailable=0.05,slow_delay_s=2",
        "--seed",
        "7",
        "--balance",
        "2500.5",
    )
    env = {"BINANCE_SIM_API_KEY": "ENV-RSA", "BINANCE_SIM_PUBLIC_KEY_FILE": str(rsa_file)}
    options = options_from_args(args, env)
    assert [k.api_key for k in options.keys] == [
        HMAC_KEY,
        "FLAG-ED",
        "ENV-RSA",
        "FILE-HMAC",
        "FILE-RSA",
    ]
    assert options.control_token == "from-file"
    limits = options.rate_limits
    assert (limits.weight_limit, limits.weight_interval, limits.weight_interval_num) == (
        600,
        "SECOND",
        10,
    )
    assert limits.order_limits == ((50, "SECOND", 10), (100, "MINUTE", 1))
    assert (limits.ban_after_429s, limits.ban_grace_ms, limits.ban_initial_s) == (1, 250, 5.0)
    assert limits.ban_max_s == 60.0
    assert options.faults is not None and options.faults.unknown_executed == 0.1
    assert (options.faults.unavailable, options.faults.slow_delay_s) == (0.05, 2.0)
    assert (options.seed, str(options.initial_balance_usdt)) == (7, "2500.5")
    assert (options.request_latency_ms, options.response_latency_ms) == (3.0, 4.0)
    sim, token = make_simulator("127.0.0.1", 0, options)
    status = sim.status()
    assert token == "from-file"
    assert [(k["api_key"], k["kind"], k["account"]) for k in status["keys"]] == [
        (HMAC_KEY, "hmac", "main"),
        ("FLAG-ED", "ed25519", "main"),
        ("ENV-RSA", "rsa", "main"),
        ("FILE-HMAC", "hmac", "main"),
        ("FILE-RSA", "rsa", "sub"),
    ]
    assert 1600 < status["clock"]["offset_ms"] < 1800 and status["clock"]["drift_ppm"] == -20
    assert status["latency"] == {"request_ms": 3.0, "response_ms": 4.0}
    assert sim.wallet_balance() == 2500.5
    token_flag = options_from_args(parse("--control-token", "flag"), {})
    token_env = options_from_args(parse(), {"BINANCE_SIM_CONTROL_TOKEN": "env"})
    assert (token_flag.control_token, token_env.control_token) == ("flag", "env")
    env_hmac = options_from_args(
        parse(), {"BINANCE_SIM_API_KEY": "E", "BINANCE_SIM_API_SECRET": "es"}
    )
    assert env_hmac.keys[0].hmac_secret == "es"


@pytest.mark.parametrize(
    ("argv", "env", "match"),
    [
        (("--weight-window", "10x"), {}, "window"),
        (("--order-limit", "300"), {}, "order-limit"),
        (("--order-limit", "0/10s"), {}, "order-limit"),
        (("--faults", "sometimes=0.5"), {}, "--faults"),
        (("--faults", "unavailable=lots"), {}, "not a number"),
        (("--faults", "unavailable=0.8,throttled=0.8"), {}, "add up"),
        (("--ban-grace-ms", "-1"), {}, "ban_grace_ms"),
        (("--balance", "lots"), {}, "--balance"),
        (("--latency-ms", "-1"), {}, "latency"),
        (("--hmac-key", "A", "s", "--hmac-key", "A", "t"), {}, "twice"),
        (("--public-key", "A", "/nonexistent.pem"), {}, "cannot read"),
        (("--credentials", "/nonexistent.json"), {}, "cannot read"),
        ((), {"BINANCE_SIM_API_KEY": "A"}, "exactly one"),
        ((), {"BINANCE_SIM_CREDENTIALS": "/nonexistent.json"}, "cannot read"),
    ],
)
def test_invalid_options(argv: tuple[str, ...], env: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        options_from_args(parse(*argv), env)


def test_invalid_credentials_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed file is refused with its name; the command exits 2 with the message."""
    path = tmp_path / "creds.json"
    for content, match in [
        ("{", "not JSON"),
        ('{"keys": {}}', "list of keys"),
        ('[{"api_secret": "x"}]', "api_key"),
        ('[{"api_key": "A"}]', "exactly one"),
        ('[{"api_key": "A", "public_key_pem": "-----BEGIN PRIVATE KEY-----\\nxx"}]', "private"),
        ('{"keys": [], "control_token": 5}', "control_token"),
    ]:
        path.write_text(content)
        with pytest.raises(ValueError, match=match):
            options_from_args(parse("--credentials", str(path)), {})
    assert main(["simulator", "--credentials", str(path)]) == 2
    assert "control_token" in capsys.readouterr().err


# -- the server in another process ----------------------------------------------------------


@contextlib.asynccontextmanager
async def server(*argv: str, env: dict[str, str] | None = None) -> AsyncIterator[tuple[str, str]]:
    """``python -m binance_async simulator --port 0 ...`` -> (base URL, control token)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "binance_async",
        "simulator",
        "--port",
        "0",
        *argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        async with asyncio.timeout(30):
            while len(lines) < 2:
                line = (await proc.stdout.readline()).decode()
                assert line, "the server stopped before printing its address"
                lines.append(line)
        url = re.search(r"(http://127\.0\.0\.1:\d+)", lines[0])
        token = re.search(r"control token: (\S+)", lines[1])
        assert url is not None and token is not None, lines
        yield url.group(1), token.group(1)
    finally:
        proc.terminate()
        async with asyncio.timeout(10):
            await proc.wait()


def hmac_get(base: str, path: str, params: str) -> tuple[str, dict[str, str]]:
    query = f"{params}&timestamp={int(time.time() * 1000) + 1700}"
    sig = hmac.new(HMAC_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{base}{path}?{query}&signature={sig}", {"X-MBX-APIKEY": HMAC_KEY}


async def test_server_with_fixed_keys_clock_and_control(tmp_path: Path) -> None:
    """Fixed HMAC and Ed25519 keys sign requests; the clock runs 1.7 s ahead; the control API
    answers only with the token; faults injected through it reach the client."""
    _, ed_file, ed_private = pem_files(tmp_path)
    async with (
        server(
            "--hmac-key",
            HMAC_KEY,
            HMAC_SECRET,
            "--clock-offset-ms",
            "1700",
            "--weight-limit",
            "500",
            env={"BINANCE_SIM_API_KEY": "ED", "BINANCE_SIM_PUBLIC_KEY_FILE": str(ed_file)},
        ) as (base, token),
        aiohttp.ClientSession() as session,
    ):
        url, headers = hmac_get(base, "/fapi/v2/balance", "")
        async with session.get(url, headers=headers) as r:
            assert r.status == 200, await r.text()
            assert r.headers["X-MBX-USED-WEIGHT-1M"] == "5"
        async with session.get(base + "/fapi/v1/exchangeInfo") as r:
            limits = (await r.json())["rateLimits"]
            assert limits[0]["limit"] == 500
        async with session.get(base + "/_sim/status") as r:
            assert r.status == 401
        control = {"X-Sim-Token": token}
        async with session.get(base + "/_sim/status", headers=control) as r:
            status = await r.json()
        assert 1600 < status["clock"]["offset_ms"] < 1800
        assert {k["api_key"]: k["kind"] for k in status["keys"]} == {
            HMAC_KEY: "hmac",
            "ED": "ed25519",
        }
        async with session.post(
            base + "/_sim/faults/next", json={"kind": "unavailable"}, headers=control
        ) as r:
            assert r.status == 200
        async with UMFutures("ED", private_key=ed_private, base_url=base) as client:
            account = await client.account()
            assert account is not None
            order = await client.new_order(
                symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.01")
            )
            assert order.status in ("NEW", "FILLED")
        async with session.get(base + "/_sim/audit", headers=control) as r:
            audit = await r.json()
        faults = [q["fault"] for q in audit["requests"] if q["path"] == "/fapi/v1/order"]
        assert faults == ["unavailable", None]
        async with session.post(base + "/_sim/reset", headers=control) as r:
            assert r.status == 200
        async with session.get(base + "/_sim/audit", headers=control) as r:
            assert (await r.json())["requests"] == []


async def test_server_generates_and_prints_keys() -> None:
    """Without keys: an HMAC, an RSA and an Ed25519 key are generated and printed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "binance_async",
        "simulator",
        "--port",
        "0",
        "--control-token",
        "T0K",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        text = ""
        async with asyncio.timeout(30):
            while (
                "[ed25519] private_key_pem" not in text
                or "END PRIVATE KEY" not in (text.split("[ed25519] private_key_pem")[-1])
            ):
                line = await proc.stdout.readline()
                assert line
                text += line.decode()
    finally:
        proc.terminate()
        async with asyncio.timeout(10):
            await proc.wait()
    assert "control token: T0K" in text
    for kind in ("hmac", "rsa", "ed25519"):
        assert f"[{kind}] api_key: " in text
    assert "[hmac] api_secret: " in text


async def test_simulator_command_still_listed_with_demo_and_clock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The other commands are still there."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("demo", "simulator", "clock"))
