"""Stream tuning: rotation, the silence watchdog, queues, reconnect backoff, control messages.

Defaults follow the exchange's rules (reference/fapi-rules.md section 7): a connection lives
24 h, so it is replaced after ``rotate_after_s`` (23 h); the server pings every 3 minutes, so a
silent connection is pinged by the client after two thirds of ``idle_timeout_s`` and dropped
when nothing (not even the pong) came within ``idle_timeout_s``; at most 1024 streams and 10
incoming messages per second per connection (pings and pongs count: control messages leave
at 8 a second at most).
"""

from __future__ import annotations

import math

import attrs

__all__ = ["StreamConfig"]


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be a finite number, got {value!r}")
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _count(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int >= 1, got {value!r}")


@attrs.frozen(kw_only=True, slots=True)
class StreamConfig:
    """How a client's streams behave (``UMFutures(stream_rotate_after_s=..., ...)``)."""

    #: A connection is replaced (overlapping, no gap) this long after it opened.
    rotate_after_s: float = attrs.field(default=23 * 3600.0, validator=_positive)
    #: Nothing received for this long (a ping is sent at two thirds of it): the connection is
    #: dead and replaced.
    idle_timeout_s: float = attrs.field(default=30.0, validator=_positive)
    #: Events held for a slow consumer; past it the oldest are dropped (and reported).
    queue_size: int = attrs.field(default=10_000, validator=_count)
    #: Streams per connection (the exchange's maximum).
    max_streams_per_connection: int = attrs.field(default=1024, validator=_count)
    #: Streams named in the URL when connecting; the others are subscribed by message.
    url_streams: int = attrs.field(default=200, validator=_count)
    #: Control messages (SUBSCRIBE ...) sent per second and connection, at most: under the
    #: exchange's 10 incoming messages a second, with room for pings and pongs.
    control_rate_per_s: float = attrs.field(default=8.0, validator=_positive)
    #: How long a control message waits for its answer.
    control_timeout_s: float = attrs.field(default=10.0, validator=_positive)
    #: Reconnect backoff: first delay, cap, and the share drawn at random (+-).
    reconnect_base_delay_s: float = attrs.field(default=0.25, validator=_positive)
    reconnect_max_delay_s: float = attrs.field(default=30.0, validator=_positive)
    reconnect_jitter: float = attrs.field(
        default=0.5,
        validator=attrs.validators.and_(attrs.validators.ge(0.0), attrs.validators.lt(1.0)),
    )
    #: Opening a connection (handshake included) may take this long.
    connect_timeout_s: float = attrs.field(default=10.0, validator=_positive)
    #: During a rotation, streams whose overlap could not be proven (no event on both
    #: connections) switch after this long.
    rotation_grace_s: float = attrs.field(default=3.0, validator=_positive)
    #: The user stream's listenKey is kept alive this often (it lives 60 minutes).
    listen_key_keepalive_s: float = attrs.field(default=30 * 60.0, validator=_positive)
    #: With a user stream open, the reconciler gives it this long to report an order of
    #: unknown outcome before its first query.
    settle_grace_s: float = attrs.field(default=0.5, validator=_positive)
