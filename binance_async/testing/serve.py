"""serve_forever: the simulator as a stand-alone test exchange (the CLI's `simulator`)."""

from __future__ import annotations

import asyncio

from .simulator import Simulator

__all__ = ["serve_forever"]


async def serve_forever(host: str, port: int, *, print_credentials: bool = True) -> None:
    """Serve until cancelled, with one HMAC, one RSA and one Ed25519 key on account ``main``.

    The keys are generated for this test exchange only; printing them is the point.
    """
    async with Simulator(host=host, port=port) as sim:
        creds = [sim.new_credentials(kind) for kind in ("hmac", "rsa", "ed25519")]
        print(f"binance_async simulator: {sim.base_url}", flush=True)
        if print_credentials:
            for cred in creds:
                print(f"\n[{cred.kind}] api_key: {cred.api_key}")
                if cred.api_secret is not None:
                    print(f"[{cred.kind}] api_secret: {cred.api_secret}")
                if cred.private_key_pem is not None:
                    print(f"[{cred.kind}] private_key_pem:\n{cred.private_key_pem.decode()}")
            print(flush=True)
        await asyncio.Event().wait()
