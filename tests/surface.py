"""A walk over a client's public surface against the simulator: each method's first request
checked on the wire (signing apart), in the weight the exchange charged and in its model."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from urllib.parse import parse_qsl

from binance_async.testing import Simulator

SIGNING = {"timestamp", "recvWindow", "signature"}


class Walk:
    """Calls methods and checks what the exchange received for each."""

    def __init__(self, sim: Simulator, client: Any) -> None:
        self.sim = sim
        self.client = client
        self.called: set[str] = set()

    async def check(
        self,
        name: str,
        call: Awaitable[Any],
        route: tuple[str, str],
        wire: dict[str, str],
        weight: int,
        kind: type | tuple[type, ...],
    ) -> Any:
        """Run ``call`` (method ``name``): its first request is ``route`` with exactly ``wire``
        (signing apart), charged ``weight``; its result is a ``kind``."""
        self.called.add(name)
        before = len(self.sim.audit.requests)
        result = await call
        records = [r for r in self.sim.audit.requests[before:] if (r.method, r.path) == route]
        assert records, f"{name}: nothing reached {route}"
        record = records[0]
        sent = dict(parse_qsl(record.query + "&" + record.body.decode(), keep_blank_values=True))
        assert {k: v for k, v in sent.items() if k not in SIGNING} == wire, name
        assert record.weight == weight, (name, record.weight)
        assert record.status == 200, (name, record.status, record.code)
        assert isinstance(result, kind), (name, type(result))
        return result


def one(items: Any) -> Any:
    """The first item of a non-empty list answer."""
    assert isinstance(items, list) and items
    return items[0]
