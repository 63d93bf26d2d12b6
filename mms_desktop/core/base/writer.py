"""Writes that must happen, but not on the caller's thread: kept text, hand corrections."""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LatestWriter(Generic[K, V]):
    """Writes values on a thread of its own, so that a slow disk never stalls the window; for each key only
    the latest value handed over is written (one still waiting is replaced), one write at a time, so an
    older value can never land after a newer one.

    A write that fails is logged, reported to ``on_error`` (on the writer's thread) and tried again with
    the next value handed over and at :meth:`flush`; :attr:`unsaved` lists such keys meanwhile, and
    :attr:`error` holds the last failure until a write succeeds. Values still waiting when the
    interpreter exits are written first.

    Args:
        write: writes one value for its key (for example, to the file the key names).
        on_error: called with the key and the exception of a failed write.
    """

    def __init__(self, write: Callable[[K, V], None],
                 on_error: Callable[[K, Exception], None] | None = None, name: str = "writer"):  # fmt: skip
        self.error: Exception | None = None
        self._write, self._on_error = write, on_error
        self._pending: dict[K, V] = {}
        self._failed: dict[K, V] = {}
        self._busy = self._closed = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def put(self, key: K, value: V) -> None:
        """Write ``value`` for ``key`` soon; returns at once."""
        with self._cond:
            self._retry_failed()
            self._pending.pop(key, None)  # re-inserted last: keys are written in the order they last came
            self._pending[key] = value
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything handed over so far, trying failed writes once more, and wait for it; False
        when ``timeout`` ran out (:attr:`error` says whether the last write failed)."""
        with self._cond:
            self._retry_failed()
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _retry_failed(self) -> None:
        """Queue again what failed (behind nothing newer for the same key); the lock is held."""
        self._pending = {**self._failed, **self._pending}
        self._failed.clear()

    @property
    def unsaved(self) -> list[K]:
        """The keys whose latest value failed to be written (and is not being tried again right now)."""
        with self._cond:
            return list(self._failed)

    def close(self, timeout: float = 10.0) -> bool:
        """Write what is waiting, then stop the thread."""
        atexit.unregister(self.close)
        done = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        return done

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._closed)
                if not self._pending:
                    return
                key = next(iter(self._pending))
                value = self._pending.pop(key)
                self._busy = True
            try:
                self._write(key, value)
                self.error = None
            except Exception as exc:
                log.warning("could not write %s: %s", key, exc)
                self.error = exc
                with self._cond:
                    self._failed[key] = value
                self._report(key, exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _report(self, key: K, error: Exception) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(key, error)
        except Exception:  # the one to tell is gone (its window was closed): the writer carries on
            log.exception("could not report the failed write of %s", key)
