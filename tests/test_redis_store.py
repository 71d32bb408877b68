"""RedisBudgetStore against a real redis-server the tests start themselves: the same answers
as MemoryBudgetStore, atomic reservations across stores, reservations and keys that expire by
themselves, a 429 that pauses every client, and a limiter that keeps working on its local
share while Redis is down.

``redis-server`` missing: these tests skip with how to install it, or fail when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    import redis.asyncio as aioredis
    from redis.asyncio.connection import Connection
except ImportError:  # pragma: no cover - the test extra installs it
    if os.environ.get("CI"):
        raise
    pytest.skip("redis-py is missing: pip install '.[test]'", allow_module_level=True)

from binance_async import UMFutures
from binance_async.budget import (
    Claim,
    MemoryBudgetStore,
    Signal,
    StoreUnavailable,
    SyncRequest,
    Update,
)
from binance_async.errors import IPBanned
from binance_async.limits import Limiter
from binance_async.ratelimits import RateLimit
from binance_async.redis import RedisBudgetStore
from binance_async.testing import Simulator
from binance_async.windows import Reservation

INSTALL_HINT = (
    "redis-server is not on PATH: install it to run the Redis tests "
    "(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)"
)
MINUTE = 60_000
#: A server-minute boundary.
M0 = 1_700_000_040_000
WEIGHT = "usdm|ip:a|REQUEST_WEIGHT 1M"
ORDERS = "usdm|account:x|ORDERS 10S"


# -- a redis-server of our own -----------------------------------------------------------------


def redis_server_path() -> str:
    """Where redis-server is; skip without it (fail under CI, where it must run)."""
    path = shutil.which("redis-server")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{INSTALL_HINT}; CI is set, so the Redis tests must run")
        pytest.skip(INSTALL_HINT)
    return path


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """A redis-server on 127.0.0.1 without persistence; ``stop`` and ``start`` again keep its
    port. Every wait is bounded."""

    def __init__(self, executable: str, workdir: Path) -> None:
        self.executable = executable
        self.workdir = workdir
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL clients connect to."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (on a free port the first time, on the same port after a stop)."""
        for _ in range(3):
            port = self.port or free_port()
            process = subprocess.Popen(
                [
                    self.executable,
                    *("--port", str(port), "--bind", "127.0.0.1", "--save", ""),
                    *("--appendonly", "no", "--dir", str(self.workdir)),
                    *("--loglevel", "warning"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._ready(process, port):
                self.port, self.process = port, process
                return
            _end(process)
            if self.port:
                break
        raise RuntimeError(f"redis-server did not start on 127.0.0.1 (port {self.port or 'any'})")

    @staticmethod
    def _ready(process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        """Stop the server (its data is gone)."""
        process, self.process = self.process, None
        if process is not None:
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the module's tests (each uses its own namespace)."""
    server = RedisServer(redis_server_path(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server for one test, which may stop and start it."""
    server = RedisServer(redis_server_path(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def store(redis_server: RedisServer) -> AsyncIterator[RedisBudgetStore]:
    """A store on a namespace of its own."""
    async with RedisBudgetStore(redis_server.url, namespace=f"t-{uuid.uuid4().hex}") as opened:
        yield opened


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A plain Redis client, to look at the keys."""
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        yield client
    finally:
        await client.aclose()


class WallTime:
    """The exchange's clock: real time, shifted so that the test starts 1 s into a minute
    (no window boundary falls inside it)."""

    uncertainty_ms = 0.0

    def __init__(self) -> None:
        self.offset_ms = 1_000 - time.time() * 1000 % MINUTE

    def now_ms(self) -> int:
        return int(time.time() * 1000 + self.offset_ms)


def weight_limit(limit: int) -> RateLimit:
    """A REQUEST_WEIGHT limit per minute."""
    return RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=limit)


@contextlib.asynccontextmanager
async def two_processes(
    url: str, limit: int, namespace: str | None = None
) -> AsyncIterator[tuple[WallTime, Limiter, Limiter]]:
    """Two limiters (weight ``limit`` a minute), each on a store of its own on ``namespace``
    (a new one by default), as in two processes; closed after."""
    namespace = namespace or f"t-{uuid.uuid4().hex}"
    clock = WallTime()
    async with (
        RedisBudgetStore(url, namespace=namespace) as one_store,
        RedisBudgetStore(url, namespace=namespace) as two_store,
    ):
        one = Limiter(clock=clock, limits=[weight_limit(limit)], store=one_store)
        two = Limiter(clock=clock, limits=[weight_limit(limit)], store=two_store)
        try:
            yield clock, one, two
        finally:
            await one.close()
            await two.close()


# -- the store's semantics ---------------------------------------------------------------------


async def test_answers_equal_the_memory_stores_over_random_syncs(store: RedisBudgetStore) -> None:
    """400 random syncs (claims, probes, holds, releases, adds and raises of every kind,
    pauses and bans, confirmed windows, time moving on): every answer of the Redis store
    equals MemoryBudgetStore's."""
    rng = random.Random(12)
    memory = MemoryBudgetStore()
    windows = {WEIGHT: MINUTE, ORDERS: 10_000}
    now = M0
    holds: list[str] = []
    for step in range(400):
        now += rng.choice((0, 1, 7, 250, 3_000))
        claims = []
        for key in rng.sample(sorted(windows), rng.randint(0, 2)):
            window = windows[key]
            start = now - now % window - rng.choice((0, 0, 0, window))  # or late: the one before
            starts = (start,) if rng.random() < 0.6 else (start - window, start)
            probe = rng.random() < 0.2
            cost, limit = rng.randint(0, 4), rng.randint(10, 60)
            claims.append(Claim(key, starts, cost, limit, probe, rng.choice((0, window))))
        hold = f"h{step}" if claims and rng.random() < 0.8 else None
        if hold is not None:
            holds.append(hold)
        releases = tuple(rng.sample(holds, min(len(holds), rng.randint(0, 2))))
        updates = []
        for _ in range(rng.randint(0, 3)):
            key = rng.choice(sorted(windows))
            window = windows[key]
            start = now - now % window + rng.choice((-window, 0, 0, window))
            add = rng.random() < 0.6
            value = rng.randint(1, 3) if add else rng.randint(0, 12)
            kind = rng.choice(("read", "once", "whole", "", ""))
            updates.append(
                Update(
                    key,
                    start,
                    value,
                    add,
                    rng.choice((0, window)),
                    read=add and kind == "read",
                    once=add and kind == "once",
                    whole=not add and kind == "whole",
                )
            )
        signals = ()
        if rng.random() < 0.02:
            scope = rng.choice(("usdm|ip:a", "usdm|account:x"))
            signals = (Signal(scope, now + rng.randint(-500, 2_000), now + rng.randint(-1, 1)),)
        confirms = ()
        if rng.random() < 0.1:
            key = rng.choice(sorted(windows))
            confirms = ((key, now - now % windows[key] - rng.choice((0, windows[key]))),)
        request = SyncRequest(
            now_ms=now,
            hold_id=hold,
            claims=tuple(claims),
            hold_until_ms=now + rng.randint(0, 5_000),
            releases=releases,
            updates=tuple(updates),
            signals=signals,
            confirms=confirms,
        )
        expected = await memory.sync(request)
        assert await store.sync(request) == expected, (step, request)


async def test_reserves_only_what_fits_and_drops_a_dead_hold_at_its_end(
    store: RedisBudgetStore,
) -> None:
    """News applied, a reservation made only if it fits, a hold never released (its process
    died) counted until hold_until_ms, with the wait until then as the hint."""
    news = SyncRequest(
        now_ms=M0,
        updates=(Update(WEIGHT, M0, 6, add=True, read=True), Update(WEIGHT, M0, 8, add=False)),
    )
    assert not (await store.sync(news)).granted  # news alone reserve nothing
    claim = Claim(WEIGHT, (M0,), 2, 10)
    first = await store.sync(
        SyncRequest(now_ms=M0, hold_id="h1", claims=(claim,), hold_until_ms=M0 + 500)
    )
    assert first.granted and first.counts == {(WEIGHT, M0): 8}
    second = await store.sync(SyncRequest(now_ms=M0 + 1, hold_id="h2", claims=(claim,)))
    assert not second.granted and second.counts == {(WEIGHT, M0): 10}
    assert second.retry_after_ms == 499
    later = await store.sync(SyncRequest(now_ms=M0 + 500, hold_id="h3", claims=(claim,)))
    assert later.granted and later.counts == {(WEIGHT, M0): 8}


async def test_unconfirmed_claim_counts_both_windows_and_admits_one_probe(
    store: RedisBudgetStore,
) -> None:
    """An unconfirmed claim adds the previous window; one probe passes alone."""
    await store.sync(SyncRequest(now_ms=M0, updates=(Update(WEIGHT, M0 - MINUTE, 9, add=True),)))
    both = Claim(WEIGHT, (M0 - MINUTE, M0), 2, 10)
    assert not (await store.sync(SyncRequest(now_ms=M0, hold_id="a", claims=(both,)))).granted
    probe = Claim(WEIGHT, (M0,), 2, 10, probe=True)
    first = SyncRequest(now_ms=M0, hold_id="p1", claims=(probe,), hold_until_ms=M0 + 9)
    assert (await store.sync(first)).granted
    assert not (await store.sync(SyncRequest(now_ms=M0, hold_id="p2", claims=(probe,)))).granted
    assert (await store.sync(SyncRequest(now_ms=M0 + 9, hold_id="p3", claims=(probe,)))).granted


async def test_concurrent_syncs_of_two_stores_never_reserve_past_the_limit(
    redis_server: RedisServer, store: RedisBudgetStore
) -> None:
    """100 reservations at once through two stores (two processes): exactly the 30 that fit."""
    async with RedisBudgetStore(redis_server.url, namespace=store.namespace) as other:
        claim = Claim(WEIGHT, (M0,), 1, 30, window_ms=MINUTE)
        replies = await asyncio.gather(
            *(
                (store, other)[n % 2].sync(
                    SyncRequest(now_ms=M0, hold_id=f"h{n}", claims=(claim,), hold_until_ms=M0 + 99)
                )
                for n in range(100)
            )
        )
    assert sum(reply.granted for reply in replies) == 30


async def test_a_pause_or_ban_refuses_every_claim_on_its_scope(store: RedisBudgetStore) -> None:
    """A 429 pause pushed by one client refuses the scope's claims until it ends, and comes
    back with the answer; other scopes go on."""
    pause = SyncRequest(now_ms=M0, signals=(Signal("usdm|ip:a", paused_until_ms=M0 + 1_000),))
    await store.sync(pause)
    claim = Claim(WEIGHT, (M0,), 1, 10)
    refused = await store.sync(SyncRequest(now_ms=M0 + 10, hold_id="a", claims=(claim,)))
    assert not refused.granted
    assert refused.signals == (Signal("usdm|ip:a", M0 + 1_000, 0),)
    orders = Claim(ORDERS, (M0,), 1, 10)
    assert (await store.sync(SyncRequest(now_ms=M0 + 10, hold_id="b", claims=(orders,)))).granted
    after = await store.sync(SyncRequest(now_ms=M0 + 1_000, hold_id="c", claims=(claim,)))
    assert after.granted and after.signals == ()


async def test_every_key_carries_a_ttl_bounded_by_its_use(
    store: RedisBudgetStore, raw: aioredis.Redis
) -> None:
    """Counts, reservations and refusals all expire by themselves, a minute past their use:
    nothing under the namespace grows forever."""
    now = M0 + 500
    request = SyncRequest(
        now_ms=now,
        hold_id="h1",
        claims=(Claim(WEIGHT, (M0,), 1, 10, window_ms=1_000),),
        hold_until_ms=now + 2_000,
        updates=(Update(WEIGHT, M0, 3, True, 1_000), Update(ORDERS, M0, 1, True, 0)),
        signals=(Signal("usdm|ip:b", paused_until_ms=now + 5_000),),
    )
    await store.sync(request)
    keys = sorted([k.decode() async for k in raw.scan_iter(match=f"{store.key_prefix}*")])
    kinds = {k[len(store.key_prefix) :].split(":", 1)[0] for k in keys}
    assert kinds == {"a", "c", "h", "holds", "hw", "hz", "s"}
    bounds = {
        f"c:{WEIGHT}@{M0}": 2 * 1_000 - 500 + MINUTE,  # one window after its end, plus a minute
        f"a:{WEIGHT}@{M0}": 2 * 1_000 - 500 + MINUTE,
        f"c:{ORDERS}@{M0}": 2 * 86_400_000,  # window unknown: two days
        f"a:{ORDERS}@{M0}": 2 * 86_400_000,
        "s:usdm|ip:b": 5_000 + MINUTE,
    }
    for key in keys:
        ttl = await raw.pttl(key)
        bound = bounds.get(key[len(store.key_prefix) :], 2_000 + MINUTE)  # reservations
        assert bound - 5_000 < ttl <= bound, (key, ttl, bound)


async def test_a_closed_port_is_store_unavailable_and_closing_is_idempotent(
    redis_server: RedisServer,
) -> None:
    """Nothing listening: sync raises StoreUnavailable at once; aclose twice is fine, a sync
    after it raises; a borrowed client stays open."""
    dead = RedisBudgetStore(f"redis://127.0.0.1:{free_port()}/0", namespace="dead")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        await dead.sync(SyncRequest(now_ms=M0, claims=(Claim(WEIGHT, (M0,), 1, 10),)))
    assert time.monotonic() - started < 1.0
    await dead.aclose()
    await dead.aclose()
    with pytest.raises(StoreUnavailable, match="closed"):
        await dead.sync(SyncRequest(now_ms=M0))
    client = aioredis.Redis.from_url(redis_server.url)
    borrowed = RedisBudgetStore(client=client, namespace="borrowed")
    await borrowed.sync(SyncRequest(now_ms=M0))
    await borrowed.aclose()
    assert await client.ping()
    await client.aclose()
    with pytest.raises(ValueError, match="namespace"):
        RedisBudgetStore(redis_server.url, namespace="a{b}")
    with pytest.raises(ValueError, match="local_share"):
        RedisBudgetStore(redis_server.url, local_share=0)


async def test_dropping_a_used_store_unclosed_warns(redis_server: RedisServer) -> None:
    """A store that made connections and was never closed says so (ResourceWarning)."""
    opened = RedisBudgetStore(redis_server.url, namespace=f"t-{uuid.uuid4().hex}")
    await opened.sync(SyncRequest(now_ms=M0))
    with pytest.warns(ResourceWarning, match="unclosed"):
        opened.__del__()
    await opened.aclose()
    assert "closed" in repr(opened) and "127.0.0.1" in repr(opened)


# -- limiters sharing a store ------------------------------------------------------------------


async def test_a_429_seen_by_one_client_pauses_the_other_until_retry_after(
    redis_server: RedisServer,
) -> None:
    """Two limiters on two stores (two processes): one's 429 holds the other's next admission
    back until its Retry-After."""
    async with two_processes(redis_server.url, 1_000) as (clock, one, two):
        refused = await one.admit(weight=1)
        one.observe(refused, status=429, counts={"retry-after": "1"}, code=-1003)
        paused_until = one.snapshot.paused_until_ms
        assert paused_until is not None
        await one.close()  # its news reach Redis
        async with asyncio.timeout(5):
            admitted = await two.admit(weight=1)
        assert clock.now_ms() >= paused_until  # two had seen no 429 itself
        two.observe(admitted, status=200, counts={})


async def test_redis_down_local_share_one_warning_then_shared_again(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis stopped: admissions go on within a quarter of the budget (once the window
    current at the loss has passed), with one warning; Redis started again (empty, its
    scripts gone): the limiter shares again and hands its counts over."""
    clock = WallTime()
    used: Counter[int] = Counter()  # the exchange's count per one-second window

    def answer(reservation: Reservation) -> None:
        window = reservation.sent_at_ms - reservation.sent_at_ms % 1000
        used[window] += reservation.weight
        counts = {"x-mbx-used-weight-1s": str(used[window])}
        limiter.observe(reservation, status=200, counts=counts)

    async with RedisBudgetStore(
        own_redis_server.url, namespace="fleet", retry_interval_s=0.1, timeout_s=0.5
    ) as shared:
        per_second = RateLimit(kind="REQUEST_WEIGHT", interval="SECOND", interval_num=1, limit=40)
        limiter = Limiter(clock=clock, limits=[per_second], store=shared)
        answer(await limiter.admit(weight=1))
        await asyncio.to_thread(own_redis_server.stop)
        with caplog.at_level(logging.INFO, logger="binance_async.limits"):
            async with asyncio.timeout(5):
                for _ in range(30):  # within 10 per second, the share of 40
                    answer(await limiter.admit(weight=1))
                    assert [w.limit for w in limiter.snapshot.windows] == [10]
            assert not limiter.shared and max(used.values()) <= 10 + 1
            await asyncio.to_thread(own_redis_server.start)
            async with asyncio.timeout(5):
                while not limiter.shared:  # noqa: ASYNC110 (public state, bounded)
                    await asyncio.sleep(0.02)
                answer(await limiter.admit(weight=1))
        messages = [r.getMessage() for r in caplog.records if r.name == "binance_async.limits"]
        assert len([m for m in messages if "does not answer" in m]) == 1
        assert len([m for m in messages if "answers again" in m]) == 1
        # Redis restarted empty: it holds this client's counts again.
        now = clock.now_ms()
        key = "usdm|ip:default|REQUEST_WEIGHT 1S"
        check = SyncRequest(now_ms=now, claims=(Claim(key, (now - now % 1000,), 0, 40),))
        assert sum((await shared.sync(check)).counts.values()) >= 1
        await limiter.close()


async def test_redis_never_reachable_admits_on_the_configured_share(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing listens where the store points, from the start: no call fails, 45 requests go
    through on local_share=0.5 of a 40/s budget (never more than 20 a window), and one
    warning is logged however many attempts to reach Redis fail."""
    clock = WallTime()
    used: Counter[int] = Counter()
    per_second = RateLimit(kind="REQUEST_WEIGHT", interval="SECOND", interval_num=1, limit=40)
    async with RedisBudgetStore(
        f"redis://127.0.0.1:{free_port()}/0",
        namespace="away",
        local_share=0.5,
        retry_interval_s=0.05,
        timeout_s=0.2,
    ) as away:
        limiter = Limiter(clock=clock, limits=[per_second], store=away)
        with caplog.at_level(logging.DEBUG, logger="binance_async.limits"):
            async with asyncio.timeout(10):
                for _ in range(45):
                    reservation = await limiter.admit(weight=1)
                    window = reservation.sent_at_ms - reservation.sent_at_ms % 1000
                    used[window] += 1
                    counts = {"x-mbx-used-weight-1s": str(used[window])}
                    limiter.observe(reservation, status=200, counts=counts)
                    assert [w.limit for w in limiter.snapshot.windows] == [20]
            await limiter.close()
    assert not limiter.shared and max(used.values()) <= 20, used
    messages = [r.getMessage() for r in caplog.records if r.name == "binance_async.limits"]
    assert len([m for m in messages if "still does not answer" in m]) >= 2  # it kept asking
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "does not answer" in warnings[0].getMessage()


async def test_the_servers_count_raises_the_shared_count_for_every_client(
    redis_server: RedisServer,
) -> None:
    """One client reads X-MBX-USED-WEIGHT-1M: 90 after a request of weight 1 (someone else
    used the address): the shared count becomes 90, and a client of another store (another
    process) admits on it: 10 more fit the 100, then nothing."""
    namespace = f"t-{uuid.uuid4().hex}"
    async with two_processes(redis_server.url, 100, namespace) as (clock, one, two):
        first = await one.admit(weight=1)
        one.observe(first, status=200, counts={"x-mbx-used-weight-1m": "90"})
        await one.close()  # its news reach Redis
        held = await two.admit(weight=10)
        assert [w.used for w in two.snapshot.windows] == [90]
        now = clock.now_ms()
        key = "usdm|ip:default|REQUEST_WEIGHT 1M"
        start = now - now % MINUTE
        ask = Claim(key, (start,), 1, 100, window_ms=MINUTE)
        async with RedisBudgetStore(redis_server.url, namespace=namespace) as third:
            reply = await third.sync(SyncRequest(now_ms=now, hold_id="x", claims=(ask,)))
        assert not reply.granted and reply.counts == {(key, start): 100}  # 90 + 10 held
        two.observe(held, status=200, counts={"x-mbx-used-weight-1m": "100"})


async def test_a_418_seen_by_one_client_bans_the_address_for_every_client(
    redis_server: RedisServer,
) -> None:
    """One client's 418 (Retry-After 30) reaches another store's client through Redis: its
    next call raises IPBanned until the same end, though it never saw a 418 itself."""
    async with two_processes(redis_server.url, 1_000) as (_, one, two):
        refused = await one.admit(weight=1)
        one.observe(refused, status=418, counts={"retry-after": "30"})
        until = one.snapshot.banned_until_ms["default"]
        await one.close()  # its news reach Redis
        with pytest.raises(IPBanned) as banned:
            await two.admit(weight=1)
        assert banned.value.until_ms == until
        assert two.snapshot.banned_until_ms == {"default": until}


class CountingConnection(Connection):
    """A redis-py connection that counts what it writes: one write per round trip (a
    pipeline is one write)."""

    writes = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).writes += 1
        await super().send_packed_command(command, check_health)


async def test_at_most_one_redis_round_trip_per_request(redis_server: RedisServer) -> None:
    """UMFutures on the simulator with a RedisBudgetStore: 50 pings one after another cost
    at most one round trip each (a request's release rides on the next one's reservation);
    200 at once leave in a few pipelines."""
    Counting = CountingConnection
    pool = aioredis.ConnectionPool.from_url(redis_server.url, connection_class=Counting)
    raw = aioredis.Redis.from_pool(pool)  # closes the pool with it
    try:
        async with (
            Simulator() as sim,
            RedisBudgetStore(client=raw, namespace=f"t-{uuid.uuid4().hex}") as store,
        ):
            creds = sim.new_credentials("hmac")
            async with UMFutures(
                creds.api_key, creds.api_secret, base_url=sim.base_url, budget_store=store
            ) as client:
                await client.exchange_info()
                await client.ping()  # the connection is made, the script loaded
                Counting.writes = 0
                for _ in range(50):
                    await client.ping()
                sequential = Counting.writes
                Counting.writes = 0
                await asyncio.gather(*(client.ping() for _ in range(200)))
                concurrent = Counting.writes
            pings = sum(r.path == "/fapi/v1/ping" for r in sim.audit.requests)
    finally:
        await raw.aclose()
    assert pings == 251
    assert 50 <= sequential <= 51  # 50 reservations (the last release may have left too)
    assert concurrent <= 50, concurrent  # 200 reservations and 200 releases, pipelined


async def test_a_sliding_request_count_is_kept_for_its_whole_span(
    redis_server: RedisServer, raw: aioredis.Redis
) -> None:
    """A request bucket (no header reports it: kept as 20 slots of 15 s over 5 minutes) is
    claimed over all its 21 slots, and its counts live in Redis at least the 5 minutes a slot
    stays in the sum, not the few slots a window's own length would keep them."""
    bucket = RateLimit(
        kind="RAW_REQUESTS", interval="MINUTE", interval_num=5, limit=30, bucket="funding"
    )
    namespace = f"t-{uuid.uuid4().hex}"
    clock = WallTime()
    async with RedisBudgetStore(redis_server.url, namespace=namespace) as store:
        limiter = Limiter(clock=clock, limits=[weight_limit(100), bucket], store=store)
        for _ in range(3):
            limiter.observe(await limiter.admit(weight=1, bucket="funding"), status=200, counts={})
        await limiter.close()  # flushes the commits to the store
        prefix = f"{store.key_prefix}c:usdm|ip:default|requests:funding|RAW_REQUESTS 5M@"
        keys = [k.decode() async for k in raw.scan_iter(match=f"{prefix}*")]
        assert keys, "the bucket's counts reached the store"
        for key in keys:
            assert await raw.pttl(key) > 5 * MINUTE, key
        # Another client of the store sees the three in the window's sum.
        other = Limiter(clock=clock, limits=[weight_limit(100), bucket], store=store)
        granted = [await other.admit(weight=1, bucket="funding") for _ in range(27)]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(other.admit(weight=1, bucket="funding"), 0.5)
        for reservation in granted:
            other.drop(reservation)
        await other.close()


async def test_a_burst_of_pipelined_reservations_is_counted_once_in_the_local_mirror(
    redis_server: RedisServer,
) -> None:
    """50 reservations at once leave in a few pipelines, so a reply may already count
    reservations of the same batch whose own replies have not come back. The local mirror
    must not take those in from the shared count and then count them again when they
    settle: it would see its window fuller than the server does and stop asking the store
    until the window ends."""
    async with two_processes(redis_server.url, 1000) as (clock, one, _):
        held = await asyncio.gather(*(one.admit(weight=1) for _ in range(50)))
        for reservation in held:
            one.observe(reservation, status=200, counts={})
        now = clock.now_ms()
        (track,) = [t for _, scope in one.ledger.scopes() for t in scope.tracks]
        assert track.counts.get(track.start(now), 0) == 50
