"""The window's text kept on disk (what is written, what comes back, what a damaged file becomes) and the
background writer that keeps it and the hand corrections of field sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mms_desktop.core.base import LatestWriter, Segment, Transcript, UserError, Word
from mms_desktop.core.formats import draft as D

SEGMENTS = (
    Segment(0.0, 1.2, "casa pez", (Word("casa", 0.1, 0.5, 0.9), Word("pez", 0.6, 1.0, 0.8))),
    Segment(1.2, 2.5, "ñandú", (Word("ñandú", 1.4, 2.0, 0.7),), speaker="SP1"),
)


def draft_writer() -> LatestWriter[Path, D.Draft]:
    return LatestWriter(D.save)


def kept_text(path: Path) -> str | None:
    kept = D.load(path)
    return kept.text if kept is not None else None


def test_a_draft_comes_back_as_it_was_written(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    kept = D.Draft("casa pez, edited by hand\nñandú", Transcript("spa", 2.5, SEGMENTS))
    writer = draft_writer()
    writer.put(path, kept)
    assert writer.close()
    assert D.load(path) == kept
    assert D.load(tmp_path / "none.json") is None


def test_the_latest_value_of_each_key_wins_and_an_empty_draft_removes_the_file(tmp_path: Path) -> None:
    first, second = tmp_path / "draft.json", tmp_path / "draft-2.json"
    writer = draft_writer()
    for i in range(200):
        writer.put(first, D.Draft(f"first {i}"))
        writer.put(second, D.Draft(f"second {i}"))
    assert writer.flush()
    assert [kept_text(first), kept_text(second)] == ["first 199", "second 199"]
    writer.put(first, D.Draft("  \n"))
    assert writer.close()
    assert not first.exists() and second.exists()


def test_writes_happen_one_at_a_time_in_the_order_handed_over() -> None:
    import threading
    import time

    written: list[tuple[str, int]] = []
    inside = threading.Semaphore(1)

    def write(key: str, value: int) -> None:
        assert inside.acquire(blocking=False), "two writes at once"
        time.sleep(0.002)
        written.append((key, value))
        inside.release()

    writer: LatestWriter[str, int] = LatestWriter(write)
    for value in range(50):
        writer.put("a" if value % 2 else "b", value)
    assert writer.close()
    for key in "ab":
        values = [v for k, v in written if k == key]
        assert values == sorted(values) and values[-1] == (49 if key == "a" else 48)


def test_a_failed_write_is_reported_and_retried_with_the_next_one(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    failures: list[tuple[Path, Exception]] = []
    writer = LatestWriter(D.save, on_error=lambda key, exc: failures.append((key, exc)))
    writer.put(blocker / "draft.json", D.Draft("kept"))
    assert writer.flush()
    assert isinstance(writer.error, OSError) and failures and failures[0][0] == blocker / "draft.json"
    assert writer.flush() and writer.unsaved == [blocker / "draft.json"], "flush tries it once more"
    assert len(failures) == 2
    blocker.unlink()
    writer.put(tmp_path / "other.json", D.Draft("other"))  # the next write retries the one that failed
    assert writer.close()
    assert writer.error is None and writer.unsaved == []
    assert [kept_text(blocker / "draft.json"), kept_text(tmp_path / "other.json")] == ["kept", "other"]


@pytest.mark.parametrize("content", ['{"format": "something else"}', "{not json", '{"format": "mms-desktop draft"}'])
def test_an_unreadable_draft_is_set_aside_whole_and_named(tmp_path: Path, content: str) -> None:
    path = tmp_path / "draft.json"
    path.write_text(content)
    with pytest.raises(UserError) as caught:
        D.load(path)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("draft-unreadable-")]
    assert len(aside) == 1 and aside[0].read_text() == content and not path.exists()
    message = str(caught.value)
    assert str(aside[0]) in message and message.endswith(".") and "\n" not in message


def test_a_kept_file_and_its_folder_entry_are_both_synced_to_disk(tmp_path: Path, monkeypatch) -> None:
    """A rename is durable only once the folder is synced too: after a power cut the draft is the old one
    or the new one, never missing."""
    import os
    import stat

    synced: list[bool] = []  # for each fsync: whether it was a folder
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    writer = draft_writer()
    writer.put(tmp_path / "draft.json", D.Draft("kept"))
    assert writer.close()
    assert synced == [False, True]
