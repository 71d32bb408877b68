"""serve_forever: the simulator as a stand-alone test exchange (the CLI's ``simulator``), with
fixed keys, limits, clock, latency and a fault plan (:class:`ServeOptions`), and the control
API behind a token."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

import attrs

from .faults import FaultPlan
from .ratelimit import RateLimitConfig
from .simulator import Simulator

__all__ = ["KeySpec", "ServeOptions", "serve_forever"]


@attrs.frozen(kw_only=True)
class KeySpec:
    """A key given to the server: an HMAC secret or a PEM public key (RSA or Ed25519)."""

    api_key: str
    account: str = "main"
    hmac_secret: str | None = attrs.field(default=None, repr=False)
    public_key_pem: bytes | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("api_key: must not be empty")
        if (self.hmac_secret is None) == (self.public_key_pem is None):
            raise ValueError(
                f"key {self.api_key[:8]}...: give exactly one of an HMAC secret or a public key"
            )


@attrs.frozen(kw_only=True)
class ServeOptions:
    """How ``serve_forever`` sets up its simulator. No ``keys``: one HMAC, one RSA and one
    Ed25519 key are generated and printed. ``control_token`` None: one is generated."""

    keys: tuple[KeySpec, ...] = ()
    rate_limits: RateLimitConfig = attrs.Factory(RateLimitConfig)
    windows_start_at_boot: bool = False
    clock_offset_ms: float = 0.0
    clock_drift_ppm: float = 0.0
    request_latency_ms: float = 0.0
    response_latency_ms: float = 0.0
    faults: FaultPlan | None = None
    seed: int = 0
    initial_balance_usdt: Decimal = Decimal("100000")
    control_token: str | None = None


def make_simulator(host: str, port: int, options: ServeOptions) -> tuple[Simulator, str]:
    """A configured (not yet started) simulator and its control token."""
    token = options.control_token or secrets.token_urlsafe(24)
    sim = Simulator(
        host=host,
        port=port,
        rate_limits=options.rate_limits,
        seed=options.seed,
        initial_balance_usdt=options.initial_balance_usdt,
        windows_start_at_boot=options.windows_start_at_boot,
        control_token=token,
    )
    for key in options.keys:
        sim.register_key(
            key.api_key,
            hmac_secret=key.hmac_secret,
            public_key_pem=key.public_key_pem,
            account=key.account,
        )
    if options.clock_offset_ms:
        sim.clock.set_offset_ms(options.clock_offset_ms)
    if options.clock_drift_ppm:
        sim.clock.set_drift_ppm(options.clock_drift_ppm)
    sim.set_latency(options.request_latency_ms, options.response_latency_ms)
    sim.set_faults(options.faults)
    return sim, token


async def serve_forever(
    host: str,
    port: int,
    *,
    print_credentials: bool = True,
    options: ServeOptions | None = None,
) -> None:
    """Serve until cancelled. Without keys in ``options``, with one HMAC, one RSA and one
    Ed25519 key on account ``main``, generated for this test exchange only (printing them is
    the point); keys that were given are listed without their secrets."""
    options = options or ServeOptions()
    sim, token = make_simulator(host, port, options)
    async with sim:
        generated = (
            []
            if options.keys
            else [sim.new_credentials(kind) for kind in ("hmac", "rsa", "ed25519")]
        )
        print(f"binance_async simulator: {sim.base_url}", flush=True)
        print(f"control token: {token}  (header X-Sim-Token on {sim.base_url}/_sim/...)")
        print("  ".join(f"{name}: {url}" for name, url in sim.urls().items()), flush=True)
        if print_credentials:
            for entry in sim.status()["keys"]:
                if not any(c.api_key == entry["api_key"] for c in generated):
                    print(f"[{entry['kind']}] api_key: {entry['api_key']} (given)")
            for cred in generated:
                print(f"\n[{cred.kind}] api_key: {cred.api_key}")
                if cred.api_secret is not None:
                    print(f"[{cred.kind}] api_secret: {cred.api_secret}")
                if cred.private_key_pem is not None:
                    print(f"[{cred.kind}] private_key_pem:\n{cred.private_key_pem.decode()}")
        print(flush=True)
        await asyncio.Event().wait()
