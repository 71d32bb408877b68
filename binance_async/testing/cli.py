"""``python -m binance_async simulator``: its options (flags, environment, a credentials file)
and how they become a :class:`~binance_async.testing.serve.ServeOptions`."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs
import orjson
from cryptography.hazmat.primitives import serialization

from .faults import FaultPlan
from .ratelimit import RateLimitConfig
from .serve import KeySpec, ServeOptions, serve_forever

__all__ = ["add_arguments", "options_from_args", "run"]

ENV_API_KEY = "BINANCE_SIM_API_KEY"
ENV_API_SECRET = "BINANCE_SIM_API_SECRET"
ENV_PUBLIC_KEY_FILE = "BINANCE_SIM_PUBLIC_KEY_FILE"
ENV_CREDENTIALS = "BINANCE_SIM_CREDENTIALS"
ENV_CONTROL_TOKEN = "BINANCE_SIM_CONTROL_TOKEN"

_WINDOW_RE = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNITS = {"s": "SECOND", "m": "MINUTE", "h": "HOUR", "d": "DAY"}

DESCRIPTION = """\
Serve the embedded Binance USD-M futures exchange on HOST:PORT for bots in any process or
language: every endpoint of the reference, the timing rule, signatures (HMAC, RSA, Ed25519),
weights and their headers, 429 then 418, order state, filters, and injected faults.

Beside the exchange's paths it serves a control API under /_sim/ (status, clock, clock/jump,
mark_price, trade, faults/next, faults/plan, latency, audit, reset), reachable only with the
control token it prints (header "X-Sim-Token: TOKEN" or "Authorization: Bearer TOKEN"); see
README.md, "The simulator as a server"."""

EPILOG = f"""\
keys: without any, one HMAC, one RSA and one Ed25519 key are generated and printed. Keys can
be given by flags, by the environment, and in a credentials file; all of them are registered.

environment:
  {ENV_API_KEY} with {ENV_API_SECRET} (HMAC) or {ENV_PUBLIC_KEY_FILE} (a PEM file)
  {ENV_CREDENTIALS}   path of a credentials file, as --credentials
  {ENV_CONTROL_TOKEN}   the control token, as --control-token

credentials file (JSON):
  {{"keys": [{{"api_key": "K1", "api_secret": "S1"}},
            {{"api_key": "K2", "public_key_file": "rsa.pub.pem", "account": "main"}},
            {{"api_key": "K3", "public_key_pem": "-----BEGIN PUBLIC KEY-----\\n..."}}],
   "control_token": "T"}}
  (a file path is relative to the credentials file; a private key PEM is accepted in place of
  a public one: its public half is registered)

examples:
  python -m binance_async simulator --port 8765 --hmac-key K S --control-token T
  python -m binance_async simulator --public-key K ed25519.pem --clock-offset-ms 1700 \\
      --faults unknown_executed=0.05,unavailable=0.02 --seed 7 --weight-limit 600
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``simulator`` command's options (and its help text) to ``parser``."""
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    net = parser.add_argument_group("address")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    net.add_argument(
        "--port", type=int, default=8765, help="port to bind; 0 picks a free one (default 8765)"
    )
    keys = parser.add_argument_group("keys and control")
    keys.add_argument(
        "--hmac-key",
        nargs=2,
        action="append",
        default=[],
        metavar=("API_KEY", "SECRET"),
        help="register an HMAC key (repeatable)",
    )
    keys.add_argument(
        "--public-key",
        nargs=2,
        action="append",
        default=[],
        metavar=("API_KEY", "PEM_FILE"),
        help="register an RSA or Ed25519 public key from a PEM file (repeatable)",
    )
    keys.add_argument(
        "--credentials", metavar="FILE", help=f"a JSON credentials file (env {ENV_CREDENTIALS})"
    )
    keys.add_argument(
        "--control-token",
        metavar="TOKEN",
        help=f"the control API's token (env {ENV_CONTROL_TOKEN}; default: generated, printed)",
    )
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--weight-limit",
        type=int,
        default=2400,
        metavar="N",
        help="IP weight per window (default 2400)",
    )
    limits.add_argument(
        "--weight-window",
        default="1m",
        metavar="WINDOW",
        help="the weight window: N followed by s, m, h or d (default 1m)",
    )
    limits.add_argument(
        "--order-limit",
        action="append",
        default=[],
        metavar="LIMIT/WINDOW",
        help="an account ORDERS limit, e.g. 300/10s (repeatable; default 300/10s and 1200/1m)",
    )
    limits.add_argument(
        "--ban-after-429s",
        type=int,
        default=3,
        metavar="N",
        help="violations tolerated after a 429 (and its grace) before the 418 ban (default 3)",
    )
    limits.add_argument(
        "--ban-grace-ms",
        type=int,
        default=1000,
        metavar="MS",
        help="after a 429, violations sooner than this were in flight: no ban (default 1000)",
    )
    limits.add_argument(
        "--ban-initial-s",
        type=float,
        default=120.0,
        metavar="S",
        help="first ban's length; it doubles per repeat (default 120)",
    )
    limits.add_argument(
        "--ban-max-s",
        type=float,
        default=259200.0,
        metavar="S",
        help="longest ban (default 259200, 3 days)",
    )
    limits.add_argument(
        "--windows-start-at-boot",
        action="store_true",
        help="start counting windows at the server's start, not on calendar multiples",
    )
    clock = parser.add_argument_group("clock and network")
    clock.add_argument(
        "--clock-offset-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="the exchange's clock minus this machine's (default 0)",
    )
    clock.add_argument(
        "--clock-drift-ppm",
        type=float,
        default=0.0,
        metavar="PPM",
        help="the exchange's clock runs fast (positive) or slow by PPM (default 0)",
    )
    clock.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="extra delay before handling each request (default 0)",
    )
    clock.add_argument(
        "--response-latency-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="extra delay before each answer (default 0)",
    )
    faults = parser.add_argument_group("faults and state")
    faults.add_argument(
        "--faults",
        metavar="PLAN",
        help=(
            "a random fault plan on order endpoints, NAME=PROBABILITY,... with names "
            "unknown_executed, unknown_not_executed, unavailable, throttled, "
            "drop_after_execute, drop_before_execute, slow (and slow_delay_s=SECONDS)"
        ),
    )
    faults.add_argument(
        "--seed", type=int, default=0, help="seed of the fault plan's draws (default 0)"
    )
    faults.add_argument(
        "--balance",
        default="100000",
        metavar="USDT",
        help="initial USDT wallet balance of each account (default 100000)",
    )


def _window(text: str) -> tuple[int, str]:
    match = _WINDOW_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"window: expected N followed by s, m, h or d (e.g. 10s), got {text!r}")
    return int(match.group(1)), _UNITS[match.group(2)]


def _order_limit(text: str) -> tuple[int, str, int]:
    limit, sep, window = text.partition("/")
    if not sep or not limit.strip().isdigit() or int(limit) <= 0:
        raise ValueError(f"--order-limit: expected LIMIT/WINDOW such as 300/10s, got {text!r}")
    num, interval = _window(window)
    return int(limit), interval, num


def _fault_plan(text: str) -> FaultPlan:
    fields = {f.name for f in attrs.fields(FaultPlan)} - {"endpoints"}
    values: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, raw = item.partition("=")
        if not sep or name.strip() not in fields:
            raise ValueError(
                f"--faults: expected NAME=VALUE with NAME in {sorted(fields)}, got {item!r}"
            )
        try:
            values[name.strip()] = float(raw)
        except ValueError:
            raise ValueError(f"--faults: {name.strip()}: not a number: {raw!r}") from None
    return FaultPlan(**values)


def _public_pem(data: bytes, where: str) -> bytes:
    """A PEM public key; a private key (unencrypted) gives its public half."""
    if b"PRIVATE KEY" not in data:
        return data
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: cannot read the private key: {exc}") from None
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _read(path: Path, where: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{where}: cannot read {str(path)!r}: {exc.strerror}") from None


def _file_keys(path: Path) -> tuple[list[KeySpec], str | None]:
    where = f"credentials file {str(path)!r}"
    try:
        data: Any = orjson.loads(_read(path, where))
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{where}: not JSON: {exc}") from None
    token = None
    if isinstance(data, dict):
        token = data.get("control_token")
        if token is not None and not isinstance(token, str):
            raise ValueError(f"{where}: control_token must be a string")
        data = data.get("keys", [])
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a list of keys or {{'keys': [...]}}")
    specs = []
    for n, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("api_key"), str):
            raise ValueError(f"{where}: key {n}: expected an object with an 'api_key' string")
        secret = item.get("api_secret")
        pem_text = item.get("public_key_pem")
        pem_file = item.get("public_key_file")
        pem: bytes | None = None
        if pem_text is not None:
            pem = _public_pem(str(pem_text).encode(), f"{where}: key {n}")
        elif pem_file is not None:
            pem = _public_pem(
                _read(path.parent / str(pem_file), f"{where}: key {n}"), f"{where}: key {n}"
            )
        specs.append(
            KeySpec(
                api_key=item["api_key"],
                account=str(item.get("account", "main")),
                hmac_secret=None if secret is None else str(secret),
                public_key_pem=pem,
            )
        )
    return specs, token


def options_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> ServeOptions:
    """The server's options from the parsed flags and the environment (ValueError if bad)."""
    keys = [KeySpec(api_key=k, hmac_secret=s) for k, s in args.hmac_key]
    for api_key, pem_file in args.public_key:
        where = f"--public-key {api_key}"
        keys.append(
            KeySpec(
                api_key=api_key, public_key_pem=_public_pem(_read(Path(pem_file), where), where)
            )
        )
    env_key = environ.get(ENV_API_KEY)
    if env_key:
        secret = environ.get(ENV_API_SECRET)
        pem_file = environ.get(ENV_PUBLIC_KEY_FILE)
        if bool(secret) == bool(pem_file):
            raise ValueError(
                f"{ENV_API_KEY}: set exactly one of {ENV_API_SECRET} or {ENV_PUBLIC_KEY_FILE}"
            )
        if secret:
            keys.append(KeySpec(api_key=env_key, hmac_secret=secret))
        else:
            where = ENV_PUBLIC_KEY_FILE
            pem = _public_pem(_read(Path(str(pem_file)), where), where)
            keys.append(KeySpec(api_key=env_key, public_key_pem=pem))
    file_token = None
    credentials = args.credentials or environ.get(ENV_CREDENTIALS)
    if credentials:
        file_keys, file_token = _file_keys(Path(credentials))
        keys += file_keys
    seen: set[str] = set()
    for key in keys:
        if key.api_key in seen:
            raise ValueError(f"api key {key.api_key[:8]}... is given twice")
        seen.add(key.api_key)
    token = args.control_token or environ.get(ENV_CONTROL_TOKEN) or file_token
    weight_num, weight_interval = _window(args.weight_window)
    order_limits = [_order_limit(text) for text in args.order_limit]
    limit_options: dict[str, Any] = {}
    if order_limits:
        limit_options["order_limits"] = order_limits
    rate_limits = RateLimitConfig(
        weight_limit=args.weight_limit,
        weight_interval=weight_interval,
        weight_interval_num=weight_num,
        ban_after_429s=args.ban_after_429s,
        ban_grace_ms=args.ban_grace_ms,
        ban_initial_s=args.ban_initial_s,
        ban_max_s=args.ban_max_s,
        **limit_options,
    )
    try:
        balance = Decimal(args.balance)
    except InvalidOperation:
        raise ValueError(f"--balance: not a decimal: {args.balance!r}") from None
    if not balance.is_finite() or balance < 0:
        raise ValueError(f"--balance: expected a non-negative amount, got {args.balance!r}")
    if args.latency_ms < 0 or args.response_latency_ms < 0:
        raise ValueError("--latency-ms and --response-latency-ms must be >= 0")
    return ServeOptions(
        keys=tuple(keys),
        rate_limits=rate_limits,
        windows_start_at_boot=args.windows_start_at_boot,
        clock_offset_ms=args.clock_offset_ms,
        clock_drift_ppm=args.clock_drift_ppm,
        request_latency_ms=args.latency_ms,
        response_latency_ms=args.response_latency_ms,
        faults=_fault_plan(args.faults) if args.faults else None,
        seed=args.seed,
        initial_balance_usdt=balance,
        control_token=token,
    )


def run(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> int:
    """Serve until interrupted; 2 (with a message on stderr) when an option is not valid."""
    try:
        options = options_from_args(args, os.environ if environ is None else environ)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    asyncio.run(serve_forever(args.host, args.port, options=options))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m binance_async.testing.cli``: the same command on its own."""
    parser = argparse.ArgumentParser(prog="binance_async simulator")
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
