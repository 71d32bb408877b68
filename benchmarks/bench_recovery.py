"""What recovery costs: the soak's latency distribution and extra requests per fault.

Runs the soak of the test suite against the embedded simulator on 127.0.0.1 (nothing leaves
the machine): ``--orders`` orders from ``--tasks`` concurrent tasks, with every fault kind
injected at once, then the same load without faults as a baseline. Prints, per fault kind
(for orders hit by exactly that one fault), how many requests the recovery added and the
latency it cost; then totals. Bounded by ``--max-seconds``.

    python benchmarks/bench_recovery.py [--orders 2000] [--tasks 100] [--recv-window-ms 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import get_args
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from binance_async import BinanceError, UMFutures
from binance_async.config import RetryConfig
from binance_async.testing import FaultPlan, RateLimitConfig, RequestRecord, Simulator
from binance_async.testing.faults import FaultKind

SCRIPTED_ONLY = frozenset({"http_429", "http_418", "invalid_timestamp", "delay_before_execute"})

PLAN = FaultPlan(
    unknown_executed=0.10,
    unknown_not_executed=0.10,
    unavailable=0.05,
    throttled=0.05,
    drop_after_execute=0.03,
    drop_before_execute=0.03,
    slow=0.02,
    slow_delay_s=1.0,
)
#: The order faults a FaultPlan draws, in the simulator's own order (not the scripted ones).
KINDS = tuple(kind for kind in get_args(FaultKind) if kind not in SCRIPTED_ONLY)
MARGIN_MS = 200
ROOMY = RateLimitConfig(
    weight_limit=10_000_000,
    order_limits=((10_000_000, "SECOND", 10), (10_000_000, "MINUTE", 1)),
)


def _intent(n: int) -> dict[str, object]:
    """The soak's mix: MARKET orders, every 10th a refused post-only, every 10th a reduce-only."""
    spec: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": "BUY" if n % 2 else "SELL",
        "type": "MARKET",
        "quantity": Decimal("0.003"),
        "new_client_order_id": f"bench-{n}",
    }
    if n % 10 == 0:
        spec.update(side="BUY", type="LIMIT", price=Decimal("50100.0"), time_in_force="GTX")
    elif n % 10 == 5:
        spec.update(reduce_only=True)
    return spec


def _cid(record: RequestRecord) -> str | None:
    fields = dict(parse_qsl(record.query + "&" + record.body.decode(), keep_blank_values=True))
    return fields.get("newClientOrderId") or fields.get("origClientOrderId")


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Run:
    """One soak: per-order latency (s) and the requests that named each order's id."""

    latency: dict[str, float] = field(default_factory=dict)
    requests: dict[str, list[RequestRecord]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Client order ids the exchange accepted.
    accepted: set[str] = field(default_factory=set)
    wall_s: float = 0.0
    duplicates: int = 0
    reconciliations: int = 0
    resubmissions: int = 0
    lowest_cap: int = 0

    @property
    def sent(self) -> int:
        """Order requests on the wire (placements, resends and queries)."""
        return sum(len(v) for v in self.requests.values())


async def _soak(args: argparse.Namespace, plan: FaultPlan | None) -> Run:
    run = Run()
    async with Simulator(seed=args.seed, rate_limits=ROOMY) as sim:
        creds = sim.new_credentials("hmac")
        client = UMFutures(
            creds.api_key,
            creds.api_secret,
            base_url=sim.base_url,
            recv_window_ms=args.recv_window_ms,
            request_timeout_s=0.5,
            call_deadline_s=30.0,
            retry=RetryConfig(base_delay_s=0.2, max_delay_s=1.6, settle_margin_ms=MARGIN_MS),
        )
        async with client:
            await client.exchange_info()
            sim.audit.clear()
            sim.set_faults(plan)
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(args.orders):
                queue.put_nowait(n)

            async def worker() -> None:
                while not queue.empty():
                    spec = _intent(queue.get_nowait())
                    cid = str(spec["new_client_order_id"])
                    started = time.perf_counter()
                    try:
                        await client.new_order(**spec)  # type: ignore[arg-type]
                        run.outcomes["order"] += 1
                    except BinanceError as exc:
                        run.outcomes[type(exc).__name__] += 1
                    run.latency[cid] = time.perf_counter() - started

            started = time.perf_counter()
            async with asyncio.timeout(args.max_seconds):
                await asyncio.gather(*(worker() for _ in range(args.tasks)))
            run.wall_s = time.perf_counter() - started
            sim.set_faults(None)
        for record in sim.audit.requests:
            cid = _cid(record) if record.path == "/fapi/v1/order" else None
            if cid is not None:
                run.requests[cid].append(record)
        run.accepted = {cid for cid, n in sim.audit.accepted.items() if n}
        run.duplicates = len(sim.audit.duplicates())
        stats = client.stats
        run.reconciliations = stats.reconciliations
        run.resubmissions = stats.resubmissions
        run.lowest_cap = stats.orders_in_flight_lowest
    return run


def _ms(values: list[float], q: float) -> str:
    return f"{_pct(values, q) * 1000:.0f}" if values else "-"


def _report(args: argparse.Namespace, faulty: Run, clean: Run) -> None:
    by_kind: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for cid in faulty.latency:
        faults = [r.fault for r in faulty.requests.get(cid, []) if r.fault]
        kind = "none" if not faults else faults[0] if len(faults) == 1 else "several"
        by_kind[kind, cid in faulty.accepted].append(cid)
    print(
        f"soak: {args.orders} orders from {args.tasks} tasks on loopback; recvWindow "
        f"{args.recv_window_ms} ms + {MARGIN_MS} ms margin, request timeout 0.5 s, "
        "backoff 200/400/800 ms (+-25 %)\n"
    )
    print(
        "| fault on the order | placed | extra req. | p50 ms | p99 ms "
        "| refused | extra req. | p50 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("none", *KINDS, "several"):
        cells = [kind]
        for placed in (True, False):
            cids = by_kind.get((kind, placed), [])
            extra = [len(faulty.requests.get(c, [])) - 1 for c in cids]
            lat = [faulty.latency[c] for c in cids]
            cells += [str(len(cids)), f"{statistics.fmean(extra):.2f}" if extra else "-"]
            cells += [_ms(lat, 50), _ms(lat, 99)] if placed else [_ms(lat, 50)]
        print("| " + " | ".join(cells) + " |")
    print()
    print("| run | orders/s | p50 ms | p99 ms | max ms | requests / order | duplicates |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, run in (("all faults", faulty), ("no faults", clean)):
        lat = list(run.latency.values())
        print(
            f"| {name} | {args.orders / run.wall_s:.0f} | {_pct(lat, 50) * 1000:.1f} | "
            f"{_ms(lat, 99)} | {max(lat) * 1000:.0f} | {run.sent / args.orders:.2f} | "
            f"{run.duplicates} |"
        )
    print(
        f"\noutcomes {dict(faulty.outcomes)}; reconciliations {faulty.reconciliations}, "
        f"resubmissions {faulty.resubmissions}, in-flight cap fell to {faulty.lowest_cap}"
    )


async def _main(args: argparse.Namespace) -> None:
    faulty = await _soak(args, PLAN)
    clean = await _soak(args, None)
    _report(args, faulty, clean)


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low}..{high}, got {value}")
        return value

    return parse


def main() -> None:
    """Parse the bounds and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=_bounded(1, 20_000), default=2000)
    parser.add_argument("--tasks", type=_bounded(1, 1000), default=100)
    parser.add_argument("--recv-window-ms", type=_bounded(100, 10_000), default=1000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
