"""The public surface: a short, sorted list of names, each importable from the package."""

from __future__ import annotations

import binance_async


def test_public_names_are_exported_once() -> None:
    """Every name in __all__ exists on the package, once (ruff's RUF022 keeps it sorted)."""
    names = binance_async.__all__
    assert all(hasattr(binance_async, name) for name in names)
    assert len(set(names)) == len(names)
    assert "UMFutures" in names and "IPBanned" in names and "ExecutionUnknown" in names


def test_no_private_module_leaks_into_the_surface() -> None:
    """Public names are classes, functions or constants, never modules."""
    import types

    for name in binance_async.__all__:
        assert not isinstance(getattr(binance_async, name), types.ModuleType), name
