"""A batch: which recordings still need transcribing, and transcribing them on this machine's cores.

Each recording is transcribed by the same :func:`~mms_desktop.core.recognition.transcribe` that the
``transcribe`` command uses, rendered by the same writers, and saved through a temporary file, synced and
renamed: a batch killed at any moment leaves whole transcripts and unfinished temporary files only (removed
by the next run), and the journal says which recordings are done. A transcript whose text has not changed
is never rewritten.

Threads and processes: with one worker everything runs on the calling thread; with more, each worker is a
process of its own (spawned, so that no PyTorch thread is forked) that loads the models once, and the
calling thread collects their results and writes the journal.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from mms_desktop.core.audio import load_audio
from mms_desktop.core.base import UserError, atomic_write_text
from mms_desktop.core.batch.ledger import Ledger, Row
from mms_desktop.core.batch.sources import Recording
from mms_desktop.core.formats import SUFFIXES, render
from mms_desktop.core.recognition import transcribe


@dataclass(frozen=True)
class Models:
    """What a worker transcribes with: loaded once per worker by the batch's ``load`` function."""

    recognizer: Any
    identifier: Any
    language: str
    among: tuple[str, ...]
    options: Any  # WindowOptions
    model: str
    precision: str


@dataclass(frozen=True)
class Task:
    source: str
    key: str
    language: str  # the manifest's for this recording, or "" for the batch's
    targets: tuple[tuple[str, str], ...]  # (format, path)
    settings: str  # the sum of what its transcript depends on (settings_key)


def settings_key(
    model: str,
    precision: str,
    language: str,
    among: Iterable[str],
    formats: Iterable[str],
    options: Any,
    word_lists: str,
) -> str:
    """A short sum of everything a transcript depends on: a recording transcribed under another is redone."""
    described = f"{model}|{precision}|{language}|{','.join(among)}|{','.join(formats)}|{options}|{word_lists}"
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def targets_of(recording: Recording, out: Path, formats: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (fmt, str(out / recording.relative.with_name(recording.relative.name + SUFFIXES[fmt]))) for fmt in formats
    )


def unchanged(recording: Recording, row: Row | None, settings: str, targets: tuple[tuple[str, str], ...]) -> bool:
    """Whether ``row`` says ``recording`` was done under ``settings`` from the same audio, its transcripts
    still there (the same size and time stamp, or else the same content)."""
    if row is None or row.status != "done" or row.settings != settings:
        return False
    if not all(Path(target).exists() for _, target in targets):
        return False
    try:
        stat = recording.path.stat()
    except OSError:
        return False
    if (stat.st_size, stat.st_mtime_ns) == (row.size, row.mtime_ns):
        return True
    return file_sha256(recording.path) == row.sha256


def plan(
    recordings: list[Recording], ledger: Ledger, out: Path, formats: list[str], settings: str
) -> tuple[list[Task], int]:
    """The tasks still to do, and how many recordings are done already (skipped)."""
    done = ledger.rows()
    tasks, skipped = [], 0
    for recording in recordings:
        key = recording.relative.as_posix()
        targets = targets_of(recording, out, formats)
        if unchanged(recording, done.get(key), settings, targets):
            skipped += 1
        else:
            tasks.append(Task(str(recording.path), key, recording.language, targets, settings))
    return tasks, skipped


def remove_unfinished(out: Path) -> None:
    """Temporary files a killed batch left behind (never a transcript under its own name)."""
    for leftover in out.rglob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def _failed(row: Row, exc: Exception, started: float) -> Row:
    if isinstance(exc, UserError):
        error = str(exc)
    else:  # one bad recording never stops the batch
        error = f"An unexpected error stopped it ({type(exc).__name__}: {exc})."
    return replace(row, status="failed", error=error, seconds=round(time.perf_counter() - started, 3))


def read(task: Task, model: str = "", precision: str = "") -> tuple[Row, np.ndarray | None]:
    """A recording's row so far (its size, time stamp and content sum) and its samples; no samples and a
    failed row with its one sentence where it cannot be read."""
    started = time.perf_counter()
    path = Path(task.source)
    row = Row(task.key, task.source, "failed", model=model, precision=precision, settings=task.settings)
    try:
        stat = path.stat()
        row = replace(row, size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=file_sha256(path))
        samples = load_audio(path)
    except Exception as exc:
        return _failed(row, exc, started), None
    return replace(row, seconds=round(time.perf_counter() - started, 3)), samples


def recognize(models: Models, task: Task, row: Row, samples: np.ndarray) -> tuple[Row, dict[str, str]]:
    """Transcribe read samples: the row, done or failed, and each transcript's text by its path."""
    started = time.perf_counter() - row.seconds
    row = replace(row, model=models.model, precision=models.precision)
    try:
        language = task.language or models.language
        result = transcribe(samples, models.recognizer, language, models.identifier, models.among, models.options)
        if not result.segments:
            raise UserError(f"No speech was found in {Path(task.source).name}.")
        media = Path(task.source)
        texts = {target: render(result, fmt, media=media, target=Path(target)) for fmt, target in task.targets}
    except Exception as exc:
        return _failed(row, exc, started), {}
    elapsed = round(time.perf_counter() - started, 3)
    return replace(row, status="done", language=result.language, duration_s=result.duration, seconds=elapsed), texts


def save(row: Row, texts: dict[str, str]) -> Row:
    """Transcripts through a temporary file, synced and renamed (one whose text has not changed is left
    alone); ``row``, or failed with one sentence where they cannot be written."""
    try:
        for target, text in texts.items():
            path = Path(target)
            existing = path.read_text(encoding="utf-8") if path.exists() else None
            if existing != text:
                atomic_write_text(path, text)
    except OSError as exc:
        reason = exc.strerror or exc
        error = f"Its transcript cannot be written ({reason}); check that the output folder can be written to."
        return replace(row, status="failed", error=error)
    return row


def work(models: Models, task: Task) -> Row:
    """Transcribe one recording and save its transcripts; its row, failed with one sentence if it must."""
    row, samples = read(task, models.model, models.precision)
    if samples is None:
        return row
    return save(*recognize(models, task, row, samples))


_models: Models | None = None  # a worker process's models, loaded once


def _start_worker(load: Callable[[], Models], threads: int) -> None:
    global _models
    import torch

    torch.set_num_threads(threads)
    _models = load()


def _work_in_worker(task: Task) -> Row:
    assert _models is not None
    return work(_models, task)


def run_local(
    tasks: list[Task],
    load: Callable[[], Models],
    workers: int,
    on_row: Callable[[Row], None],
    cancel: threading.Event | None = None,
) -> bool:
    """Do ``tasks`` with ``workers`` processes (one: on this thread), ``on_row`` called here for each as it
    is done; ``cancel`` stops it after the recordings in hand. Whether every task was done. ``load`` must be
    picklable (a module's function, or a partial of one) with more than one worker.
    """
    stop = cancel or threading.Event()
    if workers <= 1:
        models = load()
        for task in tasks:
            if stop.is_set():
                return False
            on_row(work(models, task))
        return True
    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")
    with _child_threads(threads):
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(load, threads))
        return _run_pool(pool, tasks, workers, on_row, stop)


def _run_pool(
    pool: ProcessPoolExecutor, tasks: list[Task], workers: int, on_row: Callable[[Row], None], stop: threading.Event
) -> bool:
    try:
        pending = set()
        queue = iter(tasks)
        for task in queue:  # a few tasks ahead per worker, not ten thousand futures at once
            pending.add(pool.submit(_work_in_worker, task))
            if len(pending) >= workers * 2:
                break
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                on_row(future.result())
                following = None if stop.is_set() else next(queue, None)
                if following is not None:
                    pending.add(pool.submit(_work_in_worker, following))
        return not stop.is_set()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _child_threads(threads: int) -> Iterator[None]:
    """Worker processes started meanwhile run their numeric libraries on ``threads`` threads, as PyTorch
    there: otherwise each worker's OpenMP and OpenBLAS start a thread per core, and with a worker on every
    core they crowd each other out (measured: each recording a quarter slower with two workers on two cores).
    """
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(threads) for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def default_workers(model_bytes: int, precision: str) -> int:
    """As many workers as there are cores, and no more than the memory free now holds models for."""
    factor = {"float32": 1.0, "float16": 0.5, "bfloat16": 0.5, "int8": 0.35}.get(precision, 1.0)
    per_worker = model_bytes * factor * 1.3 + 400 * 2**20  # the weights, what a pass needs, Python and PyTorch
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        free = 4 * 2**30
    return max(1, min(os.cpu_count() or 1, int(free * 0.8 // per_worker)))
