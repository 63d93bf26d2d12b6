"""The batch on Ray Data: this machine's Ray, or a cluster's.

The pipeline is the local engine's steps, spread out: recordings are read and resampled by CPU tasks
(:func:`~mms_desktop.core.batch.runner.read`), transcribed and rendered by a pool of actors that each load
the models once (:func:`~mms_desktop.core.batch.runner.recognize`, one GPU per actor where the cluster has
GPUs), and the driver (the ``batch`` process) saves each transcript and appends its journal line as results
stream in; so a cluster needs the recordings where its nodes can read them, but not the output folder, and
a driver killed at any moment loses only the recordings in flight, exactly as with the local engine.

Threads: everything here runs on the calling thread; Ray's own processes do the rest.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from mms_desktop.core.base import UserError
from mms_desktop.core.batch.ledger import Row
from mms_desktop.core.batch.runner import Models, Task, read, recognize, save

INSTALL = "The Ray engine needs Ray: pip install 'mms-desktop[cluster]' (or use --engine local)."
READ_CPUS = 0.25  # a reading task mostly waits on the disk


@dataclass(frozen=True)
class Placement:
    """How many recognizer actors, and what each one asks Ray for."""

    actors: int
    cpus: float
    gpus: float
    threads: int  # PyTorch's threads in each actor


def placement(cpus: float, gpus: float, workers: int | None, local_default: int) -> Placement:
    """Actors for a cluster with ``cpus`` and ``gpus``: one per GPU where there are GPUs, else ``workers`` (or
    ``local_default``, what fits this machine's memory, where Ray runs here), each leaving room for reading."""
    if gpus >= 1:
        actors = workers or int(gpus)
        return Placement(actors, 1.0, min(1.0, gpus / actors), 1)
    actors = max(1, workers or local_default)
    share = max(0.1, (cpus - READ_CPUS) / actors)
    return Placement(actors, round(share, 3), 0.0, max(1, int(cpus // actors)))


def _encode_task(task: Task) -> dict[str, str]:
    return {"task": json.dumps(asdict(task))}


def _decode_task(encoded: str) -> Task:
    fields = json.loads(encoded)
    return Task(**{**fields, "targets": tuple(tuple(t) for t in fields["targets"])})


def _read_row(item: dict[str, Any]) -> dict[str, Any]:
    """A Ray task: one recording read and resampled, or its failed row."""
    row, samples = read(_decode_task(item["task"]))
    readable = samples is not None
    if samples is None:
        samples = np.zeros(0, np.float32)
    return {"task": item["task"], "row": json.dumps(asdict(row)), "readable": readable, "samples": samples}


def _column(values: list[str]) -> np.ndarray:
    return np.array(values, dtype=object)


class _Recognizer:
    """A Ray actor: the models loaded once, then a batch of read recordings at a time."""

    def __init__(self, load: Callable[[], Models], threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.models: Models | None = None
        self.broken = ""  # why the models cannot be loaded here, said by each result so that the driver stops
        try:
            self.models = load()
        except UserError as exc:
            self.broken = str(exc)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        if self.models is None:
            none = [""] * len(batch["task"])
            return {"row": _column(none), "texts": _column(none), "stop": _column([self.broken] * len(none))}
        rows, texts = [], []
        read = zip(batch["task"], batch["row"], batch["readable"], batch["samples"], strict=True)
        for encoded, row_json, readable, samples in read:
            row = Row(**json.loads(row_json))
            saved: dict[str, str] = {}
            if readable:
                row, saved = recognize(self.models, _decode_task(encoded), row, np.asarray(samples, np.float32))
            rows.append(json.dumps(asdict(row)))
            texts.append(json.dumps(saved))
        return {"row": _column(rows), "texts": _column(texts), "stop": _column([""] * len(rows))}


def reachable(address: str) -> None:
    """A head named ``host:port`` (or ``ray://host:port``) that answers, said in one sentence where it does
    not (Ray itself would wait for minutes)."""
    where = address.removeprefix("ray://")
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", or an address Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as exc:
        raise UserError(
            f"The Ray cluster at {address} does not answer ({exc.strerror or exc}); check the address and that "
            "its head is running (ray status on the head)."
        ) from exc


def require_ray() -> None:
    """Ray is installed, or one sentence says how to install it."""
    try:
        import ray  # noqa: F401
    except ImportError as exc:
        raise UserError(INSTALL) from exc


def _start(address: str | None) -> bool:
    """Ray started here (True), or joined at ``address``; said in one sentence where it cannot be."""
    require_ray()
    import ray

    logging.getLogger("ray").setLevel(logging.ERROR)  # Ray's notes on itself are not the user's business
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")
    if ray.is_initialized():
        return False
    if address:
        reachable(address)
    try:
        if address:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
        else:
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "Ray on this machine"
        raise UserError(f"{where} cannot be reached ({exc}); check that it is running (ray status).") from exc
    return True


def run_ray(
    tasks: list[Task],
    load: Callable[[], Models],
    on_row: Callable[[Row], None],
    address: str | None = None,
    workers: int | None = None,
    local_default: int = 1,
    cancel: threading.Event | None = None,
) -> bool:
    """Do ``tasks`` on Ray (started here without ``address``), ``on_row`` called on this thread as each is
    done and saved. Whether every task was done. ``load`` must be picklable."""
    started = _start(address)
    import ray
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    try:
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        local = local_default if not address else max(1, int(resources.get("CPU", 1) // 4))
        place = placement(resources.get("CPU", os.cpu_count() or 1), resources.get("GPU", 0.0), workers, local)
        dataset = (
            ray.data.from_items([_encode_task(t) for t in tasks])
            .map(_read_row, num_cpus=READ_CPUS)
            .map_batches(
                _Recognizer,
                fn_constructor_args=(load, place.threads),
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=min(place.actors, len(tasks))),
                num_cpus=place.cpus,
                num_gpus=place.gpus,
            )
        )
        for result in dataset.iter_rows():
            if result["stop"]:
                raise UserError(f"A Ray worker cannot transcribe: {result['stop']}")
            on_row(save(Row(**json.loads(result["row"])), json.loads(result["texts"])))
            if cancel is not None and cancel.is_set():
                return False
        return True
    except Exception as exc:
        if not type(exc).__module__.startswith("ray."):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"The Ray engine stopped ({first}); what was done is kept: run the same command again to go on."
        ) from exc
    finally:
        if started:
            ray.shutdown()
