"""A budget store in Redis: clients in many processes, on many hosts, share their budgets.

::

    from binance_async import UMFutures
    from binance_async.redis import RedisBudgetStore   # pip install 'binance_async[redis]'

    async with RedisBudgetStore("redis://127.0.0.1:6379/0", namespace="fleet-a") as store:
        async with UMFutures(api_key, api_secret, budget_store=store) as client:
            ...

Each :meth:`RedisBudgetStore.sync` is one Lua script, atomic on the Redis server: it applies
the client's news (released reservations, committed costs, the server's counts, 429 pauses and
418 bans), drops reservations past their ``hold_until_ms``, checks every window the request
touches and reserves on all of them or none, and answers with the shared counts, the active
refusals and a wait hint. It behaves as :class:`~binance_async.budget.MemoryBudgetStore` does
in one process. Syncs made while one is on the wire leave together in one pipeline, so a busy
client costs one round trip per batch, not per request. Times are the exchange's (the
request's ``now_ms``), never the Redis server's clock.

Keys, all under ``binance_async:{<namespace>}:`` (the braces keep them on one Redis Cluster
slot), each with a TTL so nothing outlives its use:

- ``c:<window>@<start>``: a window's count (``usdm|ip:default|REQUEST_WEIGHT 1M@<ms>``), and
  ``a:<window>@<start>``: the costs committed to it added up (``all``), and those no reading
  covers (``unread``; see :class:`~binance_async.budget.Update`); kept until one window after
  it ends, plus a minute;
- ``hw:<window>``, ``hz:<window>``: the live reservations on a window's key (cost, and when
  each ends); ``h:<id>``: the keys of one reservation; ``holds``: every live reservation by
  its end; kept a minute past the last reservation's end;
- ``cf:<window>``: the latest window start a client saw the server past (two days);
- ``s:<scope>``: a scope's pause and ban ends, kept a minute past them.

When Redis does not answer (refused, timed out, restarting), :meth:`sync` raises
:class:`~binance_async.budget.StoreUnavailable`; the clients then admit on a local share of
every budget (``local_share``) and ask again every ``retry_interval_s`` (see
:mod:`binance_async.limits`).

The store owns the Redis connection pool it builds from ``url``: close it with
:meth:`RedisBudgetStore.aclose` (or ``async with``) after the clients that use it. A
``client=`` passed in instead is borrowed: it is used, never closed. A store serves one event
loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import warnings
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, cast

import orjson

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import NoScriptError, RedisError
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "binance_async.redis needs redis-py: pip install 'binance_async[redis]'"
    ) from exc

from .budget import Fallback, Signal, StoreUnavailable, SyncReply, SyncRequest, compose

__all__ = ["RedisBudgetStore"]

#: Every key outlives its last use by this much (clock differences between clients).
_MARGIN_MS = 60_000
#: A count of a window of unknown length is kept this long (the longest window is a day).
_KEEP_MS = 2 * 86_400_000

# The script's request (ARGV[1], JSON): [now, hold id or "", hold until, margin, claims,
# releases, updates, signals, scopes, confirms, keep ms]; a claim is [[window ids of its
# starts], cost, limit, probe 0/1, id of the next window (or "" when the window's length is
# unknown), key, current start, the same as text]; an update [window id, read adds, other
# adds, adds once, highest reading or -1, highest whole count, ttl ms], applied as
# budget._apply does; a signal [scope, paused until, banned until]; a confirm [key, start].
# Its answer: [granted 0/1, retry ms, n, n x (scope, paused, banned), the count of every
# claimed start in order (live reservations of the key included), the latest confirmed start
# of every claim's key or -1, the cost of every claim's key's live reservations]. It decides
# as Claim.fits does.
_SCRIPT = """
local holds = KEYS[1]
local P = string.sub(holds, 1, -6)
local r = cjson.decode(ARGV[1])
local now, hold, hold_until, margin = r[1], r[2], r[3], r[4]
local claims, releases, updates, signals, scopes = r[5], r[6], r[7], r[8], r[9]
local confirms, keep = r[10], r[11]

local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

for _, id in ipairs(releases) do
  local hk = P .. 'h:' .. id
  for _, key in ipairs(redis.call('LRANGE', hk, 0, -1)) do
    redis.call('HDEL', P .. 'hw:' .. key, id)
    redis.call('ZREM', P .. 'hz:' .. key, id)
  end
  redis.call('DEL', hk)
  redis.call('ZREM', holds, id)
end
redis.call('ZREMRANGEBYSCORE', holds, '-inf', now)

for _, u in ipairs(updates) do
  local ck, ak = P .. 'c:' .. u[1], P .. 'a:' .. u[1]
  local read, blind, once, floor, whole, ttl = u[2], u[3], u[4], u[5], u[6], u[7]
  local count = math.max(tonumber(redis.call('GET', ck) or '0') + blind + once, whole)
  if read + blind ~= 0 then
    count = math.max(count, redis.call('HINCRBY', ak, 'all', read + blind))
  end
  local unread = 0
  if blind ~= 0 then
    unread = redis.call('HINCRBY', ak, 'unread', blind)
  elseif floor >= 0 then
    unread = tonumber(redis.call('HGET', ak, 'unread') or '0')
  end
  if floor >= 0 then count = math.max(count, floor + unread) end
  if read + blind ~= 0 then redis.call('PEXPIRE', ak, ttl) end
  redis.call('SET', ck, count, 'PX', ttl)
end

for _, s in ipairs(signals) do
  local sk = P .. 's:' .. s[1]
  local cur = redis.call('HMGET', sk, 'p', 'b')
  local p = math.max(tonumber(cur[1] or '0'), s[2])
  local b = math.max(tonumber(cur[2] or '0'), s[3])
  local ttl = math.max(p, b) - now + margin
  if ttl > 0 then
    redis.call('HSET', sk, 'p', p, 'b', b)
    redis.call('PEXPIRE', sk, ttl)
  end
end

for _, c in ipairs(confirms) do
  local fk = P .. 'cf:' .. c[1]
  if tonumber(redis.call('GET', fk) or '-1') < c[2] then
    redis.call('SET', fk, c[2], 'PX', keep)
  end
end

local active = {}
for _, scope in ipairs(scopes) do
  local cur = redis.call('HMGET', P .. 's:' .. scope, 'p', 'b')
  local p, b = tonumber(cur[1] or '0'), tonumber(cur[2] or '0')
  if math.max(p, b) > now then table.insert(active, {scope, p, b}) end
end

-- A key's live reservations: their total cost, and the windows probed ("cost" or
-- "cost|start" for a probe of that window start).
local cache = {}
local function held(key)
  local c = cache[key]
  if c == nil then
    local hz, hw = P .. 'hz:' .. key, P .. 'hw:' .. key
    local gone = redis.call('ZRANGEBYSCORE', hz, '-inf', now)
    for i = 1, #gone, 500 do
      redis.call('HDEL', hw, unpack(gone, i, math.min(i + 499, #gone)))
    end
    if #gone > 0 then redis.call('ZREMRANGEBYSCORE', hz, '-inf', now) end
    local sum, probing = 0, {}
    for _, v in ipairs(redis.call('HVALS', hw)) do
      local bar = string.find(v, '|', 1, true)
      if bar then
        probing[string.sub(v, bar + 1)] = true
        v = string.sub(v, 1, bar - 1)
      end
      sum = sum + tonumber(v)
    end
    c = {sum, probing}
    cache[key] = c
  end
  return c[1], c[2]
end

local function count(w)
  return tonumber(redis.call('GET', P .. 'c:' .. w) or '0')
end

local counts, known, sums = {}, {}, {}
local granted = #claims > 0 and #active == 0
for _, c in ipairs(claims) do
  local wids, key = c[1], c[6]
  local sum, probing = held(key)
  for _, w in ipairs(wids) do table.insert(counts, count(w) + sum) end
  table.insert(sums, sum)
  local cf = tonumber(redis.call('GET', P .. 'cf:' .. key) or '-1')
  table.insert(known, cf)
  if granted then
    local confirmed = cf >= c[7]
    local probe = c[4] == 1 and not confirmed
    local counted = 0
    if confirmed or probe then
      counted = count(wids[#wids])
    else
      for _, w in ipairs(wids) do counted = counted + count(w) end
    end
    local need = sum + c[2]
    granted = counted + need <= c[3] and not (probe and probing[c[8]])
    if granted and c[5] ~= '' then granted = count(c[5]) + need <= c[3] end
  end
end

if granted and hold ~= '' then
  local ttl = math.max(hold_until - now, 0) + margin
  local hk = P .. 'h:' .. hold
  for _, c in ipairs(claims) do
    local key = c[6]
    local hw, hz = P .. 'hw:' .. key, P .. 'hz:' .. key
    redis.call('HSET', hw, hold, c[4] == 1 and (c[2] .. '|' .. c[8]) or c[2])
    redis.call('ZADD', hz, hold_until, hold)
    extend(hw, ttl)
    extend(hz, ttl)
    redis.call('RPUSH', hk, key)
  end
  redis.call('PEXPIRE', hk, ttl)
  redis.call('ZADD', holds, hold_until, hold)
  extend(holds, ttl)
end

local retry = 0
if not granted then
  local first = redis.call('ZRANGE', holds, 0, 0, 'WITHSCORES')
  if #first > 0 then retry = math.max(1, tonumber(first[2]) - now) end
end

local out = {granted and 1 or 0, retry, #active}
for _, a in ipairs(active) do
  table.insert(out, a[1])
  table.insert(out, a[2])
  table.insert(out, a[3])
end
for _, v in ipairs(counts) do table.insert(out, v) end
for _, v in ipairs(known) do table.insert(out, v) end
for _, v in ipairs(sums) do table.insert(out, v) end
return out
"""
_SHA = hashlib.sha1(_SCRIPT.encode()).hexdigest()


class RedisBudgetStore:
    """A :class:`~binance_async.budget.BudgetStore` in Redis, shared by every client (in any
    process, on any host) given the same ``namespace`` on the same Redis.

    ``url`` (``redis://host:port/db``, ``rediss://``, ``unix://``) builds a connection pool
    the store owns; or pass a ``redis.asyncio.Redis`` as ``client`` (borrowed, not closed).
    ``timeout_s`` bounds each round trip; past it the clients run on ``local_share`` of each
    budget and ask again every ``retry_interval_s`` until Redis answers.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        namespace: str = "default",
        client: aioredis.Redis | None = None,
        local_share: float = 0.25,
        retry_interval_s: float = 0.5,
        timeout_s: float = 1.0,
    ) -> None:
        if (url is None) == (client is None):
            raise ValueError("RedisBudgetStore: give a url or a client (one of them)")
        if not namespace or "{" in namespace or "}" in namespace:
            raise ValueError(
                f"namespace: expected a non-empty name without braces, got {namespace!r}"
            )
        if not timeout_s > 0:
            raise ValueError(f"timeout_s: must be > 0, got {timeout_s!r}")
        self.namespace = namespace
        #: How clients of this store admit while it does not answer.
        self.fallback = Fallback(local_share=local_share, retry_interval_s=retry_interval_s)
        #: Every key of the store starts with this.
        self.key_prefix = f"binance_async:{{{namespace}}}:"
        self._holds_key = self.key_prefix + "holds"
        self._timeout_s = timeout_s
        self._owned = client is None
        if client is None:
            assert url is not None
            client = aioredis.Redis.from_url(
                url,
                socket_timeout=timeout_s,
                socket_connect_timeout=timeout_s,
                retry=Retry(NoBackoff(), 0),
            )
        self._redis: aioredis.Redis = client
        self._queue: list[tuple[bytes, asyncio.Future[list[Any]]]] = []
        self._sender: asyncio.Task[None] | None = None
        self._used = False
        self._closed = False

    # -- the store -------------------------------------------------------------------------

    async def sync(self, request: SyncRequest) -> SyncReply:
        """Apply ``request`` atomically and answer with the shared state of its claims.

        Raises :class:`~binance_async.budget.StoreUnavailable` when Redis does not answer in
        ``timeout_s`` (or refuses the command), and once the store is closed.
        """
        if self._closed:
            raise StoreUnavailable("RedisBudgetStore is closed")
        self._used = True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        self._queue.append((self._encode(request), future))
        if self._sender is None:
            self._sender = loop.create_task(self._send(), name="binance_async.redis-sync")
        return _decode(await future, request)

    async def _send(self) -> None:
        """Send what is queued, in one pipeline, until nothing is."""
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    async with asyncio.timeout(self._timeout_s):
                        answers = await self._run([payload for payload, _ in batch])
                except (RedisError, OSError, TimeoutError) as exc:
                    answers = [exc] * len(batch)
                for (_, future), answer in zip(batch, answers, strict=True):
                    if future.done():  # its caller was cancelled
                        continue
                    if isinstance(answer, BaseException):
                        error = StoreUnavailable(f"redis: {type(answer).__name__}: {answer}")
                        error.__cause__ = answer
                        future.set_exception(error)
                    else:
                        future.set_result(answer)
        finally:
            self._sender = None

    async def _run(self, payloads: Sequence[bytes]) -> list[Any]:
        """EVALSHA each payload (one pipeline); load the script where Redis lacks it."""
        redis = self._redis
        key = self._holds_key
        if len(payloads) == 1:
            execute = cast(Callable[..., Awaitable[Any]], redis.execute_command)
            try:
                return [await execute("EVALSHA", _SHA, 1, key, payloads[0])]
            except NoScriptError:
                await redis.script_load(_SCRIPT)
                return [await execute("EVALSHA", _SHA, 1, key, payloads[0])]
        pipe = redis.pipeline(transaction=False)
        for payload in payloads:
            pipe.execute_command("EVALSHA", _SHA, 1, key, payload)
        answers: list[Any] = await pipe.execute(raise_on_error=False)
        missing = [i for i, answer in enumerate(answers) if isinstance(answer, NoScriptError)]
        if missing:  # a restarted Redis: nothing of these ran
            await redis.script_load(_SCRIPT)
            pipe = redis.pipeline(transaction=False)
            for i in missing:
                pipe.execute_command("EVALSHA", _SHA, 1, key, payloads[i])
            for i, answer in zip(missing, await pipe.execute(raise_on_error=False), strict=True):
                answers[i] = answer
        return answers

    def _encode(self, request: SyncRequest) -> bytes:
        now = request.now_ms
        claims = []
        scopes = set()
        for claim in request.claims:
            key = claim.key
            last, window = claim.starts[-1], claim.window_ms
            claims.append(
                (
                    [f"{key}@{start}" for start in claim.starts],
                    claim.cost,
                    claim.limit,
                    1 if claim.probe else 0,
                    f"{key}@{last + window}" if window else "",
                    key,
                    last,
                    str(last),
                )
            )
            scopes.add(key.rsplit("|", 1)[0])
        updates = []
        for (key, start), change in compose(request.updates).items():
            read, blind, once, floor, whole, window = change
            ttl = start + 2 * window - now + _MARGIN_MS if window else _KEEP_MS
            floor_or = -1 if floor is None else floor
            updates.append((f"{key}@{start}", read, blind, once, floor_or, whole, max(ttl, 1000)))
        return orjson.dumps(
            (
                now,
                request.hold_id or "",
                request.hold_until_ms,
                _MARGIN_MS,
                claims,
                request.releases,
                updates,
                [(s.scope, s.paused_until_ms, s.banned_until_ms) for s in request.signals],
                sorted(scopes),
                request.confirms,
                _KEEP_MS,
            )
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Fail syncs still queued, and close the connection pool if the store made it;
        idempotent."""
        if self._closed:
            return
        self._closed = True
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
        queue, self._queue = self._queue, []
        for _, future in queue:
            if not future.done():
                future.set_exception(StoreUnavailable("RedisBudgetStore is closed"))
        if self._owned:
            await self._redis.aclose()

    async def __aenter__(self) -> RedisBudgetStore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self, _warn: Any = warnings.warn) -> None:
        if getattr(self, "_owned", False) and self._used and not self._closed:
            _warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1, source=self)

    def __repr__(self) -> str:
        where = self._redis.connection_pool.connection_kwargs
        address = (
            where.get("path") or f"{where.get('host')}:{where.get('port')}/{where.get('db', 0)}"
        )
        state = "closed" if self._closed else "open"
        return f"<RedisBudgetStore {address} namespace={self.namespace!r} {state}>"


def _decode(answer: list[Any], request: SyncRequest) -> SyncReply:
    n = answer[2]
    signals = tuple(
        Signal(_text(answer[i]), int(answer[i + 1]), int(answer[i + 2]))
        for i in range(3, 3 + 3 * n, 3)
    )
    values = iter(answer[3 + 3 * n :])
    claims = request.claims
    counts = {(claim.key, start): int(next(values)) for claim in claims for start in claim.starts}
    confirmed = {}
    for claim in claims:
        cf = int(next(values))
        if cf >= 0:
            confirmed[claim.key] = cf
    held = {claim.key: int(next(values)) for claim in claims}
    return SyncReply(
        granted=answer[0] == 1,
        counts=counts,
        signals=signals,
        retry_after_ms=int(answer[1]),
        confirmed=confirmed,
        held=held,
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
