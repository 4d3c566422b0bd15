"""Rate limits that never learn who the client is.

A client is known only by an HMAC of its address under a key that is drawn at
random when the process starts and never leaves memory: counts can be kept,
but nothing stored or logged can be turned back into an address. Each worker
process keeps its own counts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass

from litestar import Request

_PROCESS_KEY = secrets.token_bytes(32)
# Bounds memory under a flood of distinct addresses; the oldest keys go first.
_MAX_KEYS = 100_000


def client_key(request: Request) -> str:
    client = request.scope.get("client")
    address = client[0] if client else ""
    return hmac.new(_PROCESS_KEY, address.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Hit:
    """One counted event, so that it can be given back."""

    key: str
    at: float


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds per key; limit 0 switches it off."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= _MAX_KEYS:
                self._events.pop(next(iter(self._events)))
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def try_hit(self, key: str) -> Hit | None:
        """Count one event unless the key is at its limit; None when it is.

        The check and the count are one step with no await between them:
        requests arriving together cannot all pass a check made before any of
        them is counted.
        """
        now = time.monotonic()
        if self.limit <= 0:
            return Hit(key, now)
        events = self._recent(key, now)
        if len(events) >= self.limit:
            return None
        events.append(now)
        return Hit(key, now)

    def give_back(self, hit: Hit) -> None:
        """Uncount an event whose request turned out not to count (refused, or a right code)."""
        events = self._events.get(hit.key)
        if events is not None and hit.at in events:
            events.remove(hit.at)

    def clear(self) -> None:
        self._events.clear()
