"""The pytest plugin: registered by entry point, its fixtures (one credential per key type,
overridable), the binance_faults marker; and a user's project that has only installed the
package (a pytest run in a subprocess, in a directory of its own)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from binance_async import UMFutures
from binance_async.testing import Credentials, RateLimitConfig, Simulator


def test_registered_by_entry_point(pytestconfig: pytest.Config) -> None:
    """The pytest11 entry point names the module, and pytest loaded it."""
    points = [
        ep for ep in entry_points(group="pytest11") if ep.value == "binance_async.pytest_plugin"
    ]
    assert len(points) == 1
    assert pytestconfig.pluginmanager.has_plugin(points[0].name)


async def test_client_per_key_type(
    binance_client: UMFutures, binance_credentials: Credentials, binance_simulator: Simulator
) -> None:
    """binance_client signs with binance_credentials against binance_simulator."""
    await binance_client.account()
    seen = {r.api_key for r in binance_simulator.audit.requests if r.api_key}
    assert seen == {binance_credentials.api_key}
    assert binance_simulator.status()["faults"] is None


def test_credentials_cover_every_key_type(request: pytest.FixtureRequest) -> None:
    """The parametrized ids of this module's binance_credentials tests: one per key type."""
    ids = {
        item.callspec.params.get("binance_credentials")
        for item in request.session.items
        if item.module is sys.modules[__name__] and hasattr(item, "callspec")
    }
    assert {"hmac", "rsa", "ed25519"} <= ids


@pytest.mark.binance_faults(unknown_executed=0.5, drop_before_execute=0.1, seed=11)
@pytest.mark.parametrize("binance_credentials", ["rsa"], indirect=True)
async def test_marker_installs_the_fault_plan(
    binance_simulator: Simulator, binance_credentials: Credentials, binance_client: UMFutures
) -> None:
    """The marker's plan is on from the start; one key type chosen by indirect parametrize."""
    assert binance_credentials.kind == "rsa"
    faults = binance_simulator.status()["faults"]
    assert (faults["unknown_executed"], faults["drop_before_execute"]) == (0.5, 0.1)
    for n in range(4):
        await binance_client.cancel_all_open_orders(symbol="BTCUSDT")
        del n
    assert binance_simulator.audit.duplicates() == {}


class TestOptions:
    """binance_simulator_options / binance_client_options, overridden in a class."""

    @pytest.fixture
    def binance_simulator_options(self) -> dict[str, Any]:
        return {"rate_limits": RateLimitConfig(weight_limit=77), "seed": 5}

    @pytest.fixture
    def binance_client_options(self) -> dict[str, Any]:
        return {"recv_window_ms": 1234}

    @pytest.mark.parametrize("binance_credentials", ["hmac"], indirect=True)
    async def test_options_reach_the_simulator_and_client(
        self, binance_simulator: Simulator, binance_client: UMFutures
    ) -> None:
        assert binance_simulator.rate_limits.weight_limit == 77
        await binance_client.account()
        signed = [r for r in binance_simulator.audit.requests if "signature=" in r.query]
        assert signed and all("recvWindow=1234" in r.query for r in signed)


PROJECT_TEST = """
import pytest
from decimal import Decimal


async def test_place(binance_client, binance_simulator):
    order = await binance_client.new_order(
        symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.01"),
        new_client_order_id="p1",
    )
    assert order.status in ("NEW", "FILLED")
    assert binance_simulator.audit.accepted["p1"] == 1


@pytest.mark.binance_faults(unavailable=1.0, seed=3)
@pytest.mark.parametrize("binance_credentials", ["ed25519"], indirect=True)
async def test_faulted(binance_client, binance_simulator, binance_credentials):
    assert binance_credentials.kind == "ed25519"
    assert binance_simulator.status()["faults"]["unavailable"] == 1.0


@pytest.mark.binance_faults(nonsense=1)
async def test_bad_marker(binance_simulator):
    pass
"""


def test_a_project_with_only_the_package_installed(tmp_path: Path) -> None:
    """No conftest, strict markers, warnings as errors: the fixtures are there, one test per
    key type, and a bad marker argument is a usage error."""
    (tmp_path / "test_bot.py").write_text(textwrap.dedent(PROJECT_TEST))
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\naddopts = --strict-markers\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "-rA", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout
    for kind in ("hmac", "rsa", "ed25519"):
        assert f"test_place[{kind}] PASSED" in out, out
    assert "test_faulted[ed25519] PASSED" in out, out
    assert "test_bad_marker" in out and "nonsense" in out, out
    assert "4 passed, 1 error" in out, out
