"""pytest plugin: test your own code against the embedded exchange simulator.

Registered by the ``pytest11`` entry point, so installing ``binance_async`` is enough (the
fixtures are async: pytest-asyncio runs them). Fixtures:

``binance_simulator``
    A started :class:`~binance_async.testing.Simulator` on 127.0.0.1, closed after the test.
    Keyword arguments for it come from the ``binance_simulator_options`` fixture (override it:
    ``rate_limits=RateLimitConfig(...)``, ``seed=...``).
``binance_credentials``
    A key registered with it, once per key type: tests that use it run for ``hmac``, ``rsa``
    and ``ed25519``. One type only:
    ``@pytest.mark.parametrize("binance_credentials", ["ed25519"], indirect=True)``.
``binance_client``
    A :class:`~binance_async.UMFutures` signed with ``binance_credentials`` and connected to
    the simulator, closed after the test; ``binance_client_options`` (a fixture to override)
    gives it keyword arguments.

Marker ``@pytest.mark.binance_faults(unknown_executed=0.1, seed=7)``: the simulator starts
with that :class:`~binance_async.testing.FaultPlan` (any of its fields) on the order
endpoints, its draws seeded by ``seed``.

This module is the bridge: it imports both the client and the simulator (the simulator never
imports the client). It imports them lazily, when a fixture is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from binance_async import UMFutures
    from binance_async.testing import Credentials, Simulator

__all__ = [
    "binance_client",
    "binance_client_options",
    "binance_credentials",
    "binance_simulator",
    "binance_simulator_options",
]

KEY_KINDS = ("hmac", "rsa", "ed25519")
MARKER = "binance_faults"

if TYPE_CHECKING:
    from pytest_asyncio import fixture as _async_fixture
else:
    try:
        from pytest_asyncio import fixture as _async_fixture
    except ImportError:  # pragma: no cover - then another async plugin must run the fixtures
        _async_fixture = pytest.fixture


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker (so ``--strict-markers`` and ``filterwarnings = error`` accept it)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**plan): start binance_simulator with this FaultPlan "
        "(e.g. unknown_executed=0.1) and seed (seed=7)",
    )


@pytest.fixture
def binance_simulator_options() -> dict[str, Any]:
    """Keyword arguments for the ``binance_simulator``'s ``Simulator`` (override to set)."""
    return {}


@pytest.fixture
def binance_client_options() -> dict[str, Any]:
    """Keyword arguments for ``binance_client``'s ``UMFutures`` (override to set)."""
    return {}


def _fault_plan(request: pytest.FixtureRequest) -> tuple[int | None, Any]:
    """(seed, FaultPlan or None) from the closest ``binance_faults`` marker."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None, None
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
    from binance_async.testing import FaultPlan

    kwargs = dict(marker.kwargs)
    seed = kwargs.pop("seed", None)
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: seed must be an int, got {seed!r}")
    try:
        plan = FaultPlan(**kwargs) if kwargs else None
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {exc}") from None
    return seed, plan


@_async_fixture
async def binance_simulator(
    request: pytest.FixtureRequest, binance_simulator_options: dict[str, Any]
) -> AsyncIterator[Simulator]:
    """A started simulator (faults from ``@pytest.mark.binance_faults``), closed after."""
    from binance_async.testing import Simulator

    seed, plan = _fault_plan(request)
    options = dict(binance_simulator_options)
    if seed is not None:
        options["seed"] = seed
    async with Simulator(**options) as sim:
        if plan is not None:
            sim.set_faults(plan)
        yield sim


@pytest.fixture(params=KEY_KINDS)
def binance_credentials(
    request: pytest.FixtureRequest, binance_simulator: Simulator
) -> Credentials:
    """A fresh key of each type (``hmac``, ``rsa``, ``ed25519``), registered with the simulator."""
    kind = request.param
    if kind not in KEY_KINDS:
        raise pytest.UsageError(f"binance_credentials: expected one of {KEY_KINDS}, got {kind!r}")
    return binance_simulator.new_credentials(kind)


@_async_fixture
async def binance_client(
    binance_simulator: Simulator,
    binance_credentials: Credentials,
    binance_client_options: dict[str, Any],
) -> AsyncIterator[UMFutures]:
    """A ``UMFutures`` on the simulator with ``binance_credentials``, closed after the test."""
    from binance_async import UMFutures

    options: dict[str, Any] = {"base_url": binance_simulator.base_url, **binance_client_options}
    creds = binance_credentials
    if creds.api_secret is not None:
        client = UMFutures(creds.api_key, creds.api_secret, **options)
    else:
        client = UMFutures(creds.api_key, private_key=creds.private_key_pem, **options)
    async with client:
        yield client
