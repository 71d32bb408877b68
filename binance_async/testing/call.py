"""Call: what a handler gets for one admitted request."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from .orders import SIGNED_PARAMS
from .state import ExchangeState

__all__ = ["Call", "Handler", "signed_params"]


@attrs.frozen(kw_only=True)
class Call:
    """One admitted request: the exchange, its params, the caller's account and the time."""

    state: ExchangeState
    params: Mapping[str, str]
    account: str
    now_ms: int


Handler = Callable[[Call], object]


def signed_params(*names: str) -> frozenset[str]:
    """``names`` plus the parameters every SIGNED request may carry."""
    return frozenset(names) | SIGNED_PARAMS
