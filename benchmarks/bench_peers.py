"""binance_async beside its peers: raw aiohttp, ccxt, python-binance and Binance's official SDK.

    python benchmarks/bench_peers.py [--rounds 3] [--requests 2000] [--out docs/benchmarks]

The peers come from the ``bench`` extra (``pip install -e '.[bench]'``); a peer that is not
installed is left out. The simulator serves in its own process (``python -m binance_async
simulator``), and each client runs in its own process too (``_peer_drivers.py``), one after
another, in an order that rotates each round. Workloads:

- public GET (the server time) and signed MARKET orders (``newOrderRespType=ACK``), each
  ``--requests`` calls from 50 tasks: CPU per request and requests per second;
- import: the statement a user writes, in a fresh interpreter with its bytecode cached,
  ``--imports`` times per client, alternating.

Each figure is the median of its rounds and each ratio is taken against raw aiohttp's figure
in the same round (absolute numbers move between machines; the ratios much less).

Reliability, once per client against a simulator of its own: 429s when a burst asks twice the
window's weight budget; ``-1021``s after the exchange's clock steps 3 s back; duplicates and
unknown outcomes when 30% of order placements meet a 503 (a third of them executed anyway).

Writes ``peers.md`` (the tables), ``peers.json`` and ``peers.png`` (the chart) to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _peer_drivers import CLIENTS  # noqa: E402

RUN_TIMEOUT_S = 600
#: The module each peer installs (a peer that is missing is left out).
MODULES = {
    "raw aiohttp": "aiohttp",
    "binance_async": "binance_async",
    "ccxt": "ccxt",
    "python-binance": "binance",
    "binance-sdk": "binance_sdk_derivatives_trading_usds_futures",
}
#: The distribution whose version the report names.
DISTRIBUTIONS = {
    "raw aiohttp": "aiohttp",
    "binance_async": "binance_async",
    "ccxt": "ccxt",
    "python-binance": "python-binance",
    "binance-sdk": "binance-sdk-derivatives-trading-usds-futures",
}
#: What a user writes to get the client.
IMPORTS = {
    "raw aiohttp": "import aiohttp",
    "binance_async": "from binance_async import UMFutures",
    "ccxt": "from ccxt.async_support import binanceusdm",
    "python-binance": "from binance import AsyncClient",
    "binance-sdk": "from binance_sdk_derivatives_trading_usds_futures import "
    "DerivativesTradingUsdsFutures",
}
#: The weight budget of the burst scenario's window (10 s).
BURST_BUDGET = 100


class SimProcess:
    """``python -m binance_async simulator`` in its own process."""

    def __init__(self, api_key: str, secret: str, *extra: str) -> None:
        self.token = secrets.token_hex(16)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "binance_async",
                "simulator",
                "--port",
                "0",
                "--hmac-key",
                api_key,
                secret,
                "--control-token",
                self.token,
                "--balance",
                "1000000000000",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        prefix = "binance_async simulator: "
        if not first.startswith(prefix):
            self.stop()
            raise RuntimeError(f"the simulator did not start: {first!r}")
        self.base_url = first[len(prefix) :].strip()
        for line in self.proc.stdout:  # the rest of its banner ends with an empty line
            if not line.strip():
                break

    def audit(self) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.base_url}/_sim/audit", headers={"X-Sim-Token": self.token}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            result: dict[str, Any] = json.loads(answer.read())
        return result

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def fast_limits() -> list[str]:
    """Limits far above any run's load: the speed runs measure clients, not the limiter."""
    return [
        "--weight-limit",
        str(10**9),
        "--order-limit",
        f"{10**9}/10s",
        "--order-limit",
        f"{10**9}/1m",
    ]


def child(*args: str) -> dict[str, Any]:
    """Run _peer_drivers.py; its RESULT line."""
    out = subprocess.run(
        [sys.executable, str(HERE / "_peer_drivers.py"), *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    raise RuntimeError(f"{args[:2]} failed:\n{out.stderr[-2000:]}")


def speed_rounds(
    clients: list[str], rounds: int, requests: int, concurrency: int
) -> list[dict[str, dict[str, float]]]:
    """Per round, per client: CPU us per GET and per order, requests/s."""
    api_key, secret = secrets.token_hex(32), secrets.token_hex(32)
    results = []
    for number in range(rounds):
        with SimProcess(api_key, secret, *fast_limits()) as sim:
            order = clients[number % len(clients) :] + clients[: number % len(clients)]
            this_round = {}
            for client in order:
                try:
                    this_round[client] = child(
                        "speed",
                        client,
                        sim.base_url,
                        api_key,
                        secret,
                        str(requests),
                        str(concurrency),
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as exc:  # left out this round
                    print(f"round {number + 1} {client}: FAILED {exc}", flush=True)
                    continue
                print(f"round {number + 1} {client}: {this_round[client]}", flush=True)
        if "raw aiohttp" in this_round:  # no ratio without the baseline
            results.append(this_round)
    return results


def import_times(clients: list[str], runs: int) -> dict[str, list[float]]:
    """ms to run each client's import statement in a fresh interpreter, bytecode cached
    (in a private directory: an installed package has its bytecode compiled at install)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {c: [] for c in clients}
    with tempfile.TemporaryDirectory() as cache:
        env["PYTHONPYCACHEPREFIX"] = cache
        code = "import time; t = time.perf_counter(); {}; print((time.perf_counter() - t) * 1e3)"
        for number in range(runs + 1):
            for client in clients[number % len(clients) :] + clients[: number % len(clients)]:
                if client not in times:
                    continue
                try:
                    out = subprocess.run(
                        [sys.executable, "-c", code.format(IMPORTS[client])],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                        timeout=120,
                    )
                except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                    print(f"import {client}: FAILED {exc}", flush=True)
                    del times[client]
                    continue
                if number:  # the first run compiles the bytecode
                    times[client].append(float(out.stdout.strip()))
    return times


def reliability(clients: list[str]) -> dict[str, dict[str, Any]]:
    """429s, -1021s, duplicates and unknown outcomes per client, each against its own
    simulator."""
    api_key, secret = secrets.token_hex(32), secrets.token_hex(32)
    results: dict[str, dict[str, Any]] = {}
    for client in clients:
        try:
            results[client] = _reliability(client, api_key, secret)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"reliability {client}: FAILED {exc}", flush=True)
            continue
        print(f"reliability {client}: {results[client]}", flush=True)
    return results


def _reliability(client: str, api_key: str, secret: str) -> dict[str, Any]:
    """One client's reliability row."""
    row: dict[str, Any] = {}
    burst_limits = ["--weight-limit", str(BURST_BUDGET), "--weight-window", "10s"]
    with SimProcess(api_key, secret, *burst_limits, "--ban-after-429s", "1000000") as sim:
        seen = child("burst", client, sim.base_url, api_key, secret, sim.token, str(BURST_BUDGET))
        counts = sim.audit()["status_counts"]
        row["429s"] = counts.get("429", 0)
        row["burst_errors"] = seen["errors"]
    with SimProcess(api_key, secret, *fast_limits()) as sim:
        seen = child("clock", client, sim.base_url, api_key, secret, sim.token)
        records = sim.audit()["requests"][seen["since"] :]
        row["-1021s"] = sum(1 for r in records if r["code"] == -1021)
        row["placed_after_jump"] = seen["placed"]
    with SimProcess(api_key, secret, *fast_limits(), "--seed", "7") as sim:
        seen = child("faults", client, sim.base_url, api_key, secret, sim.token)
        audit = sim.audit()
        accepted = audit["accepted"]
        row["duplicates"] = sum(n - 1 for n in audit["duplicates"].values())
        row["unknown"] = sum(1 for cid in seen["failed"] if accepted.get(cid, 0) > 0)
        row["failed"] = len(seen["failed"])
        row["faults"] = sum(1 for r in audit["requests"] if r["fault"])
    return row


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def versions(clients: list[str]) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for client in clients:
        try:
            found[client] = importlib.metadata.version(DISTRIBUTIONS[client])
        except importlib.metadata.PackageNotFoundError:
            found[client] = "?"
    return found


def summarise(
    rounds: list[dict[str, dict[str, float]]], imports: dict[str, list[float]]
) -> dict[str, dict[str, float]]:
    """Medians of the per-round figures and of the per-round ratios to raw aiohttp."""
    raw = "raw aiohttp"
    table: dict[str, dict[str, float]] = {}
    for client in CLIENTS:
        done = [r for r in rounds if client in r]
        if not done or client not in imports:
            continue
        row: dict[str, float] = {}
        for key in ("get_cpu_us", "order_cpu_us", "orders_per_s"):
            row[key] = statistics.median(r[client][key] for r in done)
            row[key + "_ratio"] = statistics.median(r[client][key] / r[raw][key] for r in done)
        ms = imports[client]
        row["import_ms"] = statistics.median(ms)
        row["import_ms_ratio"] = statistics.median(
            a / b for a, b in zip(ms, imports[raw], strict=True)
        )
        table[client] = row
    return table


def markdown(
    table: dict[str, dict[str, float]],
    rel: dict[str, dict[str, Any]],
    meta: dict[str, Any],
) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['machine']}; Python {meta['versions']['python']}; "
        f"{meta['rounds']} rounds of {meta['requests']:,} requests per workload from "
        f"{meta['concurrency']} tasks, medians; import: median of {meta['imports']} fresh "
        "interpreters. Absolute numbers move between machines (this one is shared and "
        "noisy); the ratios, each taken against raw aiohttp in the same round, much less.",
        "",
        "| client | version | GET CPU µs | ratio | order CPU µs | ratio | orders/s at 50 "
        "in flight | ratio | import ms | ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for client, row in table.items():
        lines.append(
            f"| {client} | {meta['versions'][client]} "
            f"| {row['get_cpu_us']:.1f} | {row['get_cpu_us_ratio']:.2f}x "
            f"| {row['order_cpu_us']:.1f} | {row['order_cpu_us_ratio']:.2f}x "
            f"| {row['orders_per_s']:,.0f} | {row['orders_per_s_ratio']:.2f}x "
            f"| {row['import_ms']:.0f} | {row['import_ms_ratio']:.2f}x |"
        )
    if not rel:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"Reliability against the simulator: a burst of {2 * BURST_BUDGET} weight-1 GETs "
        f"against a budget of {BURST_BUDGET} per 10 s; 20 orders one after another once the "
        "exchange's clock stepped 3 s back; 60 orders, 10 in flight, with 30% of placements "
        "answered 503 (a third of those executed anyway), the caller trying again with the "
        "same client order id after an error, 3 tries in all.",
        "",
        "| client | 429s in the burst | -1021s after the jump | orders placed after it "
        "| duplicate orders | unknown outcomes | orders failed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for client, row in rel.items():
        lines.append(
            f"| {client} | {row['429s']} | {row['-1021s']} | {row['placed_after_jump']}/20 "
            f"| {row['duplicates']} | {row['unknown']} | {row['failed']}/60 |"
        )
    lines += [
        "",
        "Unknown outcomes: orders whose caller was finally told of an error although the "
        "exchange had executed them.",
    ]
    return "\n".join(lines) + "\n"


def chart(table: dict[str, dict[str, float]], meta: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measures = [
        ("get_cpu_us_ratio", "GET CPU"),
        ("order_cpu_us_ratio", "order CPU"),
        ("orders_per_s_ratio", "orders/s"),
        ("import_ms_ratio", "import time"),
    ]
    clients = list(table)
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    width = 0.8 / len(clients)
    for n, client in enumerate(clients):
        xs = [m + (n - (len(clients) - 1) / 2) * width for m in range(len(measures))]
        values = [table[client][key] for key, _ in measures]
        # Each bar runs from 1 (raw aiohttp) to the ratio: up for more, down for less.
        bars = ax.bar(xs, [v - 1 for v in values], width, bottom=1, label=client)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=7, padding=1)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")  # 2x more and 2x less are as far from 1 (the SDK runs off a linear scale)
    ax.set_yticks([0.1, 0.2, 0.5, 1, 2, 5, 10], ["0.1", "0.2", "0.5", "1", "2", "5", "10"])
    ax.set_xticks(range(len(measures)), [label for _, label in measures])
    ax.set_ylabel("ratio to raw aiohttp (same round), log scale")
    ax.set_title(
        "CPU per request, orders/s at 50 in flight, import time: each client / raw aiohttp\n"
        f"{meta['date']}, {meta['machine']} (absolute numbers move between machines)",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--imports", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "benchmarks")
    parser.add_argument("--skip-reliability", action="store_true")
    parser.add_argument(
        "--chart-only", action="store_true", help="redraw peers.png from --out's peers.json"
    )
    args = parser.parse_args()
    if args.chart_only:
        saved = json.loads((args.out / "peers.json").read_text())
        chart(saved["table"], saved["meta"], args.out / "peers.png")
        return
    clients = [c for c in CLIENTS if importlib.util.find_spec(MODULES[c]) is not None]
    missing = sorted(set(CLIENTS) - set(clients))
    if missing:
        print(f"not installed, left out: {missing} (pip install -e '.[bench]')", flush=True)
    rounds = speed_rounds(clients, args.rounds, args.requests, args.concurrency)
    imports = import_times(clients, args.imports)
    rel = {} if args.skip_reliability else reliability(clients)
    table = summarise(rounds, imports)
    meta = {
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "versions": versions(clients),
        "rounds": args.rounds,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "imports": args.imports,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(table, rel, meta)
    (args.out / "peers.md").write_text(text)
    (args.out / "peers.json").write_text(
        json.dumps({"meta": meta, "table": table, "reliability": rel, "rounds": rounds}, indent=1)
        + "\n"
    )
    chart(table, meta, args.out / "peers.png")
    print(text)


if __name__ == "__main__":
    main()
