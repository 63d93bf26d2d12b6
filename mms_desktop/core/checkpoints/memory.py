"""Process-wide memory and threading settings around model loading and inference.

glibc's allocator decides whether a freed block goes back to the system. Left to itself it keeps up to
twice the largest block it has seen freed at the top of its heap; once a program sets its own threshold
for mapping blocks (the int8 loader does, see :func:`loading`), it hands back anything over 128 kB there.
A forward pass of MMS-1B allocates and frees hundreds of megabytes of activations, so without a
threshold for keeping them it paged in about 1.3-2.9 GB of fresh memory on every pass (330,000-750,000
page faults per 24 s window on a 2-core CPU, 4-8 % of the pass). :func:`for_inference` keeps what a pass
frees for the next one: the resident size stays at the peak of a pass instead of falling back between
passes, and the peak itself does not change.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import platform
import sys
import threading
from collections.abc import Iterator
from typing import Any

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters of glibc
_MAPPED_WHILE_LOADING = 1 << 20
_MAPPED_FROM = 32 << 20  # the largest threshold glibc takes, where its own adjustment ends up too
_KEPT_AT_TOP = 1 << 30

_lock = threading.Lock()
_loads_under_way = 0
_switch_interval = sys.getswitchinterval()


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """Settings for the time a model is built layer by layer (int8); restored once no load is under way
    (the window may load the recognizer and the identifier at once).

    glibc maps every block over 1 MB on its own: once it has seen a large block freed, it serves blocks
    up to 32 MB from its heap, and loading layer by layer allocates and frees hundreds of such blocks
    between the ones it keeps; the holes left behind cost about 0.6 GB of peak memory per MMS-1B model.
    Mapped apiece, each goes back to the system when freed. Afterwards :func:`for_inference` applies.

    Python hands the GIL between threads every 0.2 ms instead of every 5 ms: the packing threads need it
    for a moment between their long native steps, while the loading thread builds the model and the
    window's threads run Python, which hold it most of the time; with the default interval the packers
    mostly wait (measured while transformers' model code was being imported: 5.7 s to 5.0 s for MMS-1B,
    mean of four loads each).
    """
    global _loads_under_way, _switch_interval
    libc = _glibc()
    with _lock:
        _loads_under_way += 1
        if _loads_under_way == 1:
            _switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(0.0002)
            if libc is not None:
                libc.mallopt(_M_MMAP_THRESHOLD, _MAPPED_WHILE_LOADING)
    try:
        yield
    finally:
        with _lock:
            _loads_under_way -= 1
            if _loads_under_way == 0:
                sys.setswitchinterval(_switch_interval)
                _inference_settings(libc)


def for_inference() -> None:
    """Keep the memory a forward pass frees for the next one (unless a load is under way, which applies
    these settings when it ends)."""
    with _lock:
        if _loads_under_way == 0:
            _inference_settings(_glibc())


def _inference_settings(libc: Any) -> None:
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, _MAPPED_FROM)
        libc.mallopt(_M_TRIM_THRESHOLD, _KEPT_AT_TOP)


@functools.cache
def _glibc() -> Any:
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        try:
            return ctypes.CDLL("libc.so.6")
        except OSError:
            return None
    return None
