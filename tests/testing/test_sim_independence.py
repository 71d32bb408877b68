"""The simulator stays an independent implementation with a small curated surface."""

from __future__ import annotations

import ast
from pathlib import Path

import binance_async.testing as testing

PACKAGE = Path(testing.__file__).parent


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            found.extend((0, alias.name) for alias in node.names)
    return found


def test_imports_nothing_of_the_client() -> None:
    """No module of binance_async.testing imports binance_async outside binance_async.testing."""
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for level, module in _imports(path):
            outside = level > 1 or (
                level == 0
                and module.split(".")[0] == "binance_async"
                and not module.startswith("binance_async.testing")
            )
            if outside:
                offenders.append(f"{path.name}: {'.' * level}{module}")
    assert offenders == []


def test_public_surface() -> None:
    """The package exports exactly its curated, sorted names, each with an __all__ module."""
    assert testing.__all__ == sorted(testing.__all__)
    assert {"Simulator", "Credentials", "FaultPlan", "RateLimitConfig", "serve_forever"} <= set(
        testing.__all__
    )
    for path in PACKAGE.glob("*.py"):
        if path.name != "__init__.py":
            assert "__all__ = [" in path.read_text(encoding="utf-8"), path.name
