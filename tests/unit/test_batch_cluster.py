"""The Ray engine's plain parts: how many actors ask Ray for what, and how tasks and errors cross to them."""

from __future__ import annotations

from mms_desktop.core.base import UserError
from mms_desktop.core.batch import Models, Task
from mms_desktop.core.batch.cluster import _decode_task, _encode_task, _Recognizer, placement


def test_actors_leave_room_for_reading_and_take_a_gpu_each_where_there_are_gpus() -> None:
    here = placement(cpus=2, gpus=0, workers=None, local_default=2)
    assert here.actors == 2 and here.gpus == 0 and here.threads == 1
    assert here.actors * here.cpus <= 2 - 0.25, "a reading task can always be scheduled"
    one = placement(cpus=16, gpus=0, workers=1, local_default=4)
    assert (one.actors, one.threads) == (1, 16)
    gpus = placement(cpus=64, gpus=4, workers=None, local_default=1)
    assert (gpus.actors, gpus.gpus, gpus.cpus) == (4, 1.0, 1.0)
    shared = placement(cpus=64, gpus=2, workers=4, local_default=1)
    assert shared.actors == 4 and shared.gpus == 0.5, "more actors than GPUs share them"


def test_a_task_crosses_to_ray_and_back_unchanged() -> None:
    task = Task("/a/b.wav", "b", "fra", (("txt", "/o/b.wav.txt"), ("srt", "/o/b.wav.srt")), "0123")
    assert _decode_task(_encode_task(task)["task"]) == task


def test_a_worker_that_cannot_load_the_models_says_why_with_each_result() -> None:
    sentence = "The model facebook/x is not installed; install it with mms-desktop models install."

    def load() -> Models:
        raise UserError(sentence)

    worker = _Recognizer(load, 1)
    result = worker({"task": ["a", "b"], "row": ["", ""], "readable": [True, True], "samples": [None, None]})
    assert list(result["stop"]) == [sentence, sentence], "the driver stops the batch with the sentence"
