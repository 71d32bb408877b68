"""Endpoints with their own request buckets, counted per IP apart from the weight limit.

GET /fapi/v1/fundingRate and /fapi/v1/fundingInfo share one (500 requests per 5 minutes);
the /futures/data/* endpoints have another (1000 per 5 minutes). Over it: 429 -1003 with
Retry-After. Binance documents no header carrying these counts, so none is sent.
"""

from __future__ import annotations

from typing import Literal

from .ratelimit import LimitWindow, RateLimitConfig, Refusal

__all__ = ["BucketName", "RequestBuckets", "requests_429"]

BucketName = Literal["funding", "futures_data"]


def requests_429(window: LimitWindow, ip: str, now_ms: int) -> Refusal:
    """429 -1003 for an IP over a count of requests (not of weight) in ``window``."""
    return Refusal(
        status=429,
        code=-1003,
        msg=(
            f"Too many requests; current limit of IP({ip}) is {window.limit} requests "
            f"per {window.describe()}."
        ),
        retry_after_s=window.retry_after_s(now_ms),
    )


class RequestBuckets:
    """Per-IP request counts of the special buckets, in windows on the server clock."""

    def __init__(self, config: RateLimitConfig) -> None:
        def window(limit: int) -> LimitWindow:
            return LimitWindow(
                limit=limit,
                interval=config.bucket_interval,
                interval_num=config.bucket_interval_num,
                offset_ms=config.window_offset_ms,
            )

        self.windows: dict[str, LimitWindow] = {
            "funding": window(config.funding_limit),
            "futures_data": window(config.futures_data_limit),
        }
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}  # -> (window start, count)

    def used(self, bucket: BucketName, ip: str, now_ms: int) -> int:
        """Requests counted for ``ip`` in the bucket's current window."""
        start = self.windows[bucket].start(now_ms)
        current = self._counts.get((bucket, ip))
        return current[1] if current is not None and current[0] == start else 0

    def admit(self, bucket: BucketName, ip: str, now_ms: int) -> Refusal | None:
        """Count one request, or refuse it (nothing counted) when the bucket is full."""
        window = self.windows[bucket]
        used = self.used(bucket, ip, now_ms)
        if used >= window.limit:
            return requests_429(window, ip, now_ms)
        self._counts[(bucket, ip)] = (window.start(now_ms), used + 1)
        return None
