"""Before and after: bench_requests.py under two versions of the library, in one run.

    python benchmarks/compare_versions.py BASELINE_SRC [--pairs 3] [--requests 2000]

``BASELINE_SRC`` is a checkout of an earlier version (``git worktree add /tmp/base <rev>``).
The two versions run alternately, ``--pairs`` times each, every run in a fresh process with
its own simulator; each run reports its client's CPU per request next to raw aiohttp's in the
same process, and the comparison is of those ratios (medians), so a busy machine moves both
sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = ("GET /fapi/v1/time", "POST /fapi/v1/order")


def run(src: Path, requests: int) -> dict[str, list[float]]:
    """One bench_requests.py run (one round) with the library from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "bench_requests.py"),
            "--rounds",
            "1",
            "--json",
            "--requests",
            str(requests),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("baseline", type=Path)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    versions = {"before": args.baseline.resolve(), "after": HERE.parent}
    ratios: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.pairs):
        for name, src in versions.items():
            medians = run(src, args.requests)
            for case in CASES:
                ratio = medians[f"binance_async {case}"][0] / medians[f"raw {case}"][0]
                ratios.setdefault((name, case), []).append(ratio)
    print(f"CPU per request / raw aiohttp's in the same run, median of {args.pairs} runs each")
    print(f"{'case':24} {'before':>8} {'after':>8}")
    for case in CASES:
        before = statistics.median(ratios["before", case])
        after = statistics.median(ratios["after", case])
        print(f"{case:24} {before:7.2f}x {after:7.2f}x")


if __name__ == "__main__":
    main()
