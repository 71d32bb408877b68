"""Switching a set of streams from one connection to another without a gap or a duplicate.

While the old connection still delivers, the new one is subscribed and its messages are held.
For each stream, the switch happens once an event is seen on both connections (the same
message, byte for byte): what the old one delivered up to there is kept, what the new one holds
after it is delivered, and from then on that stream's events come from the new connection only.
A stream without any event during the overlap switches when the rotation ends (its events,
if any come later, arrive on the new connection, which is subscribed).

Only during a rotation is each message's stream read and its bytes remembered; otherwise the
connections hand data straight to the sink.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["Rotation", "combined_stream", "single_stream"]

#: A stream's messages remembered while waiting for the overlap, at most.
_REMEMBER = 20_000
_PREFIX = len(b'{"stream":"')


def combined_stream(data: bytes) -> bytes:
    """The stream name of a combined-stream message (``{"stream":"<name>","data":...}``)."""
    end = data.find(b'"', _PREFIX)
    return data[_PREFIX:end] if end > 0 else b""


def single_stream(data: bytes) -> bytes:
    """Every message of a raw (single) stream belongs to the same stream."""
    return b""


class Rotation:
    """The overlap of an old and a new connection carrying the same streams."""

    def __init__(
        self,
        deliver: Callable[[bytes], None],
        stream_of: Callable[[bytes], bytes] = combined_stream,
    ) -> None:
        self._deliver = deliver
        self._stream_of = stream_of
        #: Per stream: messages the old connection delivered (insertion-ordered).
        self._seen: dict[bytes, dict[bytes, None]] = {}
        #: Per stream: messages the new connection holds, not yet delivered.
        self._held: dict[bytes, dict[bytes, None]] = {}
        self._switched: set[bytes] = set()
        #: Messages dropped as seen on both connections.
        self.duplicates = 0
        #: Set whenever a stream switches.
        self.changed = asyncio.Event()

    @property
    def switched(self) -> int:
        """Streams that moved to the new connection so far."""
        return len(self._switched)

    def from_old(self, data: bytes) -> None:
        """A message of the old connection."""
        stream = self._stream_of(data)
        if stream in self._switched:
            self.duplicates += 1
            return
        self._deliver(data)
        held = self._held.get(stream)
        if held and data in held:
            self._switch(stream, after=data)
            return
        seen = self._seen.setdefault(stream, {})
        seen[data] = None
        if len(seen) > _REMEMBER:
            del seen[next(iter(seen))]

    def from_new(self, data: bytes) -> None:
        """A message of the new connection."""
        stream = self._stream_of(data)
        if stream in self._switched:
            self._deliver(data)
            return
        if data in self._seen.get(stream, ()):
            # Everything held before it is older, so the old connection delivered it too.
            self.duplicates += 1 + len(self._held.pop(stream, ()))
            self._switched.add(stream)
            self._seen.pop(stream, None)
            self.changed.set()
            return
        held = self._held.setdefault(stream, {})
        held[data] = None
        if len(held) > _REMEMBER:
            del held[next(iter(held))]

    def _switch(self, stream: bytes, *, after: bytes) -> None:
        held = list(self._held.pop(stream, ()))
        index = held.index(after)
        self.duplicates += index + 1
        self._switched.add(stream)
        self._seen.pop(stream, None)
        self.changed.set()
        for data in held[index + 1 :]:
            self._deliver(data)

    def finish(self) -> None:
        """End the overlap: every stream moves to the new connection; what the new one
        holds and the old one never delivered is delivered now."""
        for stream, held in self._held.items():
            seen = self._seen.get(stream, {})
            for data in held:
                if data in seen:
                    self.duplicates += 1
                else:
                    self._deliver(data)
            self._switched.add(stream)
        self._held.clear()
        self._seen.clear()
