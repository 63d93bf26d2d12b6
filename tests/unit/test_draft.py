"""The window's text kept on disk: what is written, what comes back, and what a damaged file becomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mms_desktop.core import draft as D
from mms_desktop.core.errors import UserError
from mms_desktop.core.events import Segment, Word

SEGMENTS = (
    Segment(0.0, 1.2, "casa pez", (Word("casa", 0.1, 0.5, 0.9), Word("pez", 0.6, 1.0, 0.8))),
    Segment(1.2, 2.5, "ñandú", (Word("ñandú", 1.4, 2.0, 0.7),), speaker="SP1"),
)


def test_a_draft_comes_back_as_it_was_written(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    kept = D.Draft("casa pez, edited by hand\nñandú", "spa", SEGMENTS)
    writer = D.DraftWriter(path)
    writer.put(kept)
    assert writer.close()
    assert D.load(path) == kept
    assert D.load(tmp_path / "none.json") is None


def test_the_latest_draft_wins_and_an_empty_text_removes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "draft.json"
    writer = D.DraftWriter(path)
    for i in range(200):
        writer.put(D.Draft(f"text {i}"))
    assert writer.flush()
    loaded = D.load(path)
    assert loaded is not None and loaded.text == "text 199"
    writer.put(D.Draft("  \n"))
    assert writer.close()
    assert not path.exists()


def test_a_failed_write_is_reported_and_the_next_one_recovers(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    writer = D.DraftWriter(blocker / "draft.json")
    writer.put(D.Draft("kept"))
    assert writer.flush()
    assert isinstance(writer.error, OSError)
    blocker.unlink()
    writer.put(D.Draft("kept"))
    assert writer.close()
    assert writer.error is None
    loaded = D.load(blocker / "draft.json")
    assert loaded is not None and loaded.text == "kept"


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
    writer = D.DraftWriter(tmp_path / "draft.json")
    writer.put(D.Draft("kept"))
    assert writer.close()
    assert synced == [False, True]
