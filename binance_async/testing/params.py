"""Request parameters from the raw query string and body, and the signed payload."""

from __future__ import annotations

from urllib.parse import unquote_plus

import attrs

from .errors import ApiError

__all__ = ["RequestParams", "parse_params"]

_SIGNATURE = "signature"


@attrs.frozen(kw_only=True)
class RequestParams:
    """Parameters (query wins over body), the signature, and the exact bytes it signs."""

    params: dict[str, str]
    signature: str | None
    payload: bytes
    #: A refusal found while parsing (duplicate name, misplaced signature), raised after auth.
    error: ApiError | None = None


def _decode_pairs(segments: list[str]) -> tuple[list[tuple[str, str]], bool]:
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    duplicate = False
    for segment in segments:
        if not segment:
            continue
        name, _, value = segment.partition("=")
        name = unquote_plus(name)
        if name in seen:
            duplicate = True
        seen.add(name)
        pairs.append((name, unquote_plus(value)))
    return pairs, duplicate


def _signature_index(pairs: list[tuple[str, str]]) -> list[int]:
    return [i for i, (name, _) in enumerate(pairs) if name == _SIGNATURE]


def parse_params(query: str, body: bytes) -> RequestParams:
    """Parse ``query`` (raw, after ``?``) and ``body`` (raw form bytes).

    The signed payload is the query string then the body, exactly as received, without the
    ``signature`` parameter, which must be the last parameter of the part it is in.
    """
    q_segments = query.split("&") if query else []
    b_segments_raw = body.split(b"&") if body else []
    b_segments = [s.decode("utf-8", "replace") for s in b_segments_raw]
    q_pairs, q_dup = _decode_pairs(q_segments)
    b_pairs, b_dup = _decode_pairs(b_segments)
    error: ApiError | None = None
    if q_dup or b_dup:
        error = ApiError(-1101, "Duplicate values for a parameter detected.")
    q_sig = _signature_index(q_pairs)
    b_sig = _signature_index(b_pairs)
    signature: str | None = None
    q_payload = query.encode("utf-8", "surrogateescape")
    b_payload = body
    if len(q_sig) + len(b_sig) > 1:
        error = error or ApiError(-1022, "Signature for this request is not valid.")
    elif q_sig:
        signature = q_pairs[q_sig[0]][1]
        if q_sig[0] != len(q_pairs) - 1 or not q_segments[-1]:
            error = error or ApiError(-1022, "Signature for this request is not valid.")
        q_payload = "&".join(q_segments[:-1]).encode("utf-8", "surrogateescape")
    elif b_sig:
        signature = b_pairs[b_sig[0]][1]
        if b_sig[0] != len(b_pairs) - 1 or not b_segments_raw[-1]:
            error = error or ApiError(-1022, "Signature for this request is not valid.")
        b_payload = b"&".join(b_segments_raw[:-1])
    params = dict(b_pairs)
    params.update(q_pairs)
    params.pop(_SIGNATURE, None)
    return RequestParams(
        params=params, signature=signature, payload=q_payload + b_payload, error=error
    )
