"""Base weights converted once to the precision they run in, so that later starts memory-map them.

The MMS checkpoints are stored in fp32. Loading them in bf16 converts 4 GB of weights on every start
(about 13 s on a 2-core CPU); the converted copy loads as fast as the fp32 file does. A copy is keyed on
the source file's size and modification time, written to a temporary folder and renamed into place, so
a crash never leaves a half-written copy that would be used. Int8 copies (``quantized.py``) are kept the
same way.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
WEIGHTS = "model.safetensors"
# safetensors dtype names and the torch dtypes they hold
DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "I8": "int8", "U8": "uint8", "I32": "int32",
          "I64": "int64", "BOOL": "bool"}  # fmt: skip


def weights_folder(model_dir: Path, dtype: str, cache_root: Path | None) -> Path:
    """The folder to load the base weights from: the converted copy for a reduced precision when a cache
    is given (made the first time), else the model's own folder."""
    if cache_root is None or dtype == "float32":
        return model_dir
    return converted_folder(model_dir, dtype, cache_root) or model_dir


def cache_folder(model_dir: Path, kind: str, cache_root: Path) -> Path:
    """Where the ``kind`` copy of the current version of ``model_dir``'s weights lives (it may not exist)."""
    stat = (model_dir / WEIGHTS).stat()
    return cache_root / f"{_stem(model_dir, kind)}-{stat.st_size}-{int(stat.st_mtime)}"


def converted_folder(model_dir: Path, dtype: str, cache_root: Path) -> Path | None:
    """A folder with ``config.json`` and the base weights of ``model_dir`` in ``dtype``, converting them
    the first time; None when they are already stored in that precision or the copy cannot be written."""
    import torch
    from safetensors import safe_open

    folder = cache_folder(model_dir, dtype, cache_root)
    if (folder / WEIGHTS).exists():
        return folder
    target = getattr(torch, dtype)
    with safe_open(str(model_dir / WEIGHTS), framework="pt") as f:
        names = list(f.keys())
        if all(f.get_slice(n).get_dtype() != "F32" for n in names):
            return None
        tensors = {}
        for name in names:
            tensor = f.get_tensor(name)
            tensors[name] = tensor.to(target) if tensor.is_floating_point() else tensor
    return folder if publish(tensors, model_dir, folder) else None


def mapped_tensors(path: Path) -> dict[str, Any]:
    """The tensors of a safetensors file as views of a private (copy-on-write) memory map of it.

    Nothing is read until a forward pass touches it (from the disk cache, a fraction of a second for
    MMS-1B), and the pages stay shared with the cache. Nothing may write into them (a language's adapter
    is given memory of its own instead): :func:`release_mapped_pages` relies on it.
    """
    import numpy as np
    import torch

    entries, base = safetensors_header(path)
    data = np.memmap(path, dtype=np.uint8, mode="c")
    _maps[id(data)] = data  # for as long as a tensor views it
    tensors = {}
    for name, entry in entries.items():
        start, end = (base + offset for offset in entry["data_offsets"])
        if end > len(data):
            raise OSError(f"{name} is cut short in {path}")
        raw = torch.from_numpy(data[start:end])
        tensors[name] = raw.view(getattr(torch, DTYPES[entry["dtype"]])).reshape(entry["shape"])
    return tensors


# every weights file mapped by mapped_tensors, while in use (arrays cannot be hashed, hence by identity)
_maps: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def release_mapped_pages() -> None:
    """Hand back the resident pages of every memory-mapped weights file.

    They stay in the disk cache, and the next pass of a model maps the ones it touches again: for
    MMS-1B in bf16, 0.04 s to hand back 1.9 GB and 0.07 s more on the next pass. The language identifier
    does this around each use, so that it and the recognizer, both memory-mapped, never hold their
    weights resident at the same time (the pair fits about 2.5 GB in bf16 instead of 4). Only pages
    never written are mapped (see :func:`mapped_tensors`), so each reads back exactly as it was.
    """
    if not hasattr(mmap, "MADV_DONTNEED"):  # not on Windows
        return
    for data in list(_maps.values()):
        mapping = getattr(data, "_mmap", None)
        if mapping is not None and not mapping.closed:
            mapping.madvise(mmap.MADV_DONTNEED)


def safetensors_header(path: Path) -> tuple[dict[str, Any], int]:
    """The tensor entries of a safetensors file (name: dtype, shape, data offsets) and where data begins."""
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    header.pop("__metadata__", None)
    return header, 8 + size


def publish(tensors: dict[str, Any], model_dir: Path, folder: Path) -> bool:
    """Write ``tensors`` and ``model_dir``'s config as the copy ``folder`` (from ``cache_folder``), whole or
    not at all, and remove copies of older versions of the same model; False if it cannot be written."""
    from safetensors.torch import save_file

    stem = folder.name.rsplit("-", 2)[0]
    tmp = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=folder.parent))
        save_file(tensors, str(tmp / WEIGHTS), metadata={"format": "pt"})
        shutil.copy(model_dir / "config.json", tmp / "config.json")
        for old in folder.parent.glob(f"{stem}-*"):  # copies of an older version of the same model
            if old.is_dir() and old != folder:
                shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError as exc:
        log.info("not caching converted weights in %s: %s", folder.parent, exc)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True


def drop_copies(model_dir: Path, cache_root: Path) -> bool:
    """Remove every converted copy of ``model_dir`` (a damaged one is made again on the next load);
    returns whether there was any."""
    copies = [p for p in cache_root.glob(f"{model_dir.parent.name}--{model_dir.name}-*") if p.is_dir()]
    for copy in copies:
        shutil.rmtree(copy, ignore_errors=True)
    return bool(copies)


def _stem(model_dir: Path, kind: str) -> str:
    return f"{model_dir.parent.name}--{model_dir.name}-{kind}"  # owner and name, as in the store
