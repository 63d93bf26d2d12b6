import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from mms_desktop.core.base import Segment, Transcript, UserError
from mms_desktop.core.fieldwork import Project, SessionInfo, Speaker, problem, safe_name, save_transcript


def test_sessions_have_archive_safe_unique_ids_and_readable_metadata(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    first = project.create(SessionInfo(id="", title="Élodie's stories / day 1", language="sah",
                                       speakers=[Speaker("S1", "Aiyyna")], date="2026-07-01"))  # fmt: skip
    second = project.create(SessionInfo(id="", title="Élodie's stories / day 1", language_name="Sakha",
                                        date="2026-07-01"))  # fmt: skip
    assert first.id == "2026-07-01_Elodie-s-stories-day-1" and second.id == first.id + "-2"
    data = json.loads((tmp_path / "project" / first.id / "session.json").read_text(encoding="utf-8"))
    assert data["speakers"] == [{"id": "S1", "name": "Aiyyna"}] and data["title"].startswith("Élodie")
    assert [s.id for s in project.sessions()] == [first.id, second.id]
    assert project.next_recording(first.id).name == f"{first.id}_01.wav"
    (tmp_path / "project" / first.id / f"{first.id}_01.wav").write_bytes(b"")
    assert project.next_recording(first.id).name == f"{first.id}_02.wav"
    with pytest.raises(UserError, match="There is no session 'nope'"):
        project.session("nope")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the session a title."),
        ({"language": "Sakha"}, "'Sakha' is not an ISO 639-3 code"),
        ({"language": ""}, "Give the language"),
        ({"date": "23/11/2026"}, "'23/11/2026' is not a date; write it as YYYY-MM-DD"),
        ({"date": "2026-02-30"}, "'2026-02-30' is not a date"),
        ({"speakers": [Speaker("", "Maria")]}, "Every speaker needs an ID"),
        ({"speakers": [Speaker("SP1"), Speaker("SP1", "Ann")]}, "Two speakers have the same ID"),
    ],
)
def test_a_session_with_wrong_metadata_is_refused_with_what_to_change(tmp_path: Path, changes, message) -> None:
    info = SessionInfo(id="", title="Stories", language="sah", date="2026-07", speakers=[Speaker("SP1")])
    project = Project(tmp_path / "project")
    assert problem(info) is None and problem(SessionInfo(id="", title="Songs", language_name="Sakha", date="")) is None
    with pytest.raises(UserError, match=re.escape(message)):
        project.create(dataclasses.replace(info, **changes))
    assert not project.folder.exists()


def test_a_project_folder_that_cannot_hold_sessions_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="notes.txt is a file, not a folder; choose a folder for the project"):
        Project(tmp_path / "notes.txt").create(SessionInfo(id="", title="Stories", language="sah"))
    assert (tmp_path / "notes.txt").read_text() == "mine"
    with pytest.raises(UserError, match="could not be created in .*notes.txt/project .*choose a project folder that"):
        Project(tmp_path / "notes.txt" / "project").create(SessionInfo(id="", title="Stories", language="sah"))


def test_safe_names() -> None:
    assert safe_name("Саха тыла: 1") == "Sakha-tyla-1"
    assert safe_name("a b/c") == "a-b-c" and safe_name("///") == "session"


def test_hand_corrections_are_never_overwritten_silently_and_a_backup_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "take_01.json"
    machine = Transcript("eng", 1.0, (Segment(0.0, 1.0, "helo"),))
    fixed = Transcript("eng", 1.0, (Segment(0.0, 1.0, "hello"),))
    save_transcript(path, machine, edited=False)
    save_transcript(path, fixed, edited=True)
    assert json.loads((tmp_path / ".mms-desktop" / "take_01.json.bak").read_text())["text"] == "helo"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mms-desktop", "take_01.json"], "nothing else beside it"
    with pytest.raises(UserError, match="holds hand corrections"):
        save_transcript(path, machine, edited=False)
    assert json.loads(path.read_text())["text"] == "hello"
    save_transcript(path, machine, edited=False, overwrite_edits=True)
    assert json.loads(path.read_text())["text"] == "helo"


def test_a_killed_recording_is_recovered_into_its_session(tmp_path: Path) -> None:
    import subprocess
    import sys

    import soundfile as sf

    from mms_desktop.core.fieldwork import Project, SessionInfo

    project = Project(tmp_path / "project")
    info = project.create(SessionInfo(id="", title="Elder stories", language="sah"))
    wav = project.next_recording(info.id)
    script = f"""
import os, signal, time, numpy as np
from pathlib import Path
from mms_desktop.core.audio.recorder import Recorder
r = Recorder(Path({str(wav)!r}), 48000, 1, sync_s=0.1)
for _ in range(100):
    r.write(np.full((480, 1), 0.25, np.float32))
time.sleep(0.6)
os.kill(os.getpid(), signal.SIGKILL)
"""
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert killed.returncode == -9
    assert sorted(p.name for p in wav.parent.iterdir()) == [".mms-desktop", wav.name, "session.json"]
    assert project.recordings(info.id) == [wav]
    repaired = project.repair(info.id)
    assert len(repaired) == 1 and repaired[0].parent == wav.parent
    assert project.recordings(info.id) == repaired
    data, rate = sf.read(repaired[0])
    assert rate == 48000 and len(data) == 48000  # every block written before the kill
    assert project.repair(info.id) == []  # already repaired: nothing more to do


def test_an_export_changed_since_in_elan_or_praat_is_replaced_only_when_told(tmp_path: Path) -> None:
    from mms_desktop.core.base import Segment, Transcript
    from mms_desktop.core.fieldwork import ExportChanged, export_beside

    recording = tmp_path / "S_01.wav"
    first = Transcript("spa", 1.0, (Segment(0.0, 1.0, "casa pes"),))
    corrected = Transcript("spa", 1.0, (Segment(0.0, 1.0, "casa pez"),))
    eaf = export_beside(recording, first, "eaf")
    assert export_beside(recording, corrected, "eaf") == eaf and "casa pez" in eaf.read_text(), (
        "a file as the last export left it is simply brought up to date"
    )
    eaf.write_text(eaf.read_text().replace("casa pez", "casa pez [tier added in ELAN]"))
    worked_on = eaf.read_bytes()
    with pytest.raises(ExportChanged, match="S_01.eaf has changed since it was exported"):
        export_beside(recording, first, "eaf")
    assert eaf.read_bytes() == worked_on
    export_beside(recording, first, "eaf", replace=True)
    assert "casa pes" in eaf.read_text() and "ELAN" not in eaf.read_text()

    own = tmp_path / "S_01.TextGrid"
    own.write_text("a TextGrid the linguist made before any export")
    with pytest.raises(ExportChanged):
        export_beside(recording, first, "textgrid")
    assert own.read_text() == "a TextGrid the linguist made before any export"


def test_export_beside_never_replaces_the_transcript_itself(tmp_path: Path) -> None:
    from mms_desktop.core.base import Segment, Transcript
    from mms_desktop.core.fieldwork import export_beside, save_transcript, transcript_path

    recording = tmp_path / "S_01.wav"
    transcript = Transcript("spa", 1.0, (Segment(0.0, 1.0, "casa pez"),))
    save_transcript(transcript_path(recording), transcript, edited=True)
    before = transcript_path(recording).read_bytes()
    assert export_beside(recording, transcript, "srt") == tmp_path / "S_01.srt"
    assert "casa pez" in (tmp_path / "S_01.srt").read_text()
    with pytest.raises(UserError, match="S_01.json is the transcript itself"):
        export_beside(recording, transcript, "json")
    assert transcript_path(recording).read_bytes() == before


def test_a_recording_is_described_by_its_length_and_its_transcript(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    from mms_desktop.core.audio import Recorder
    from mms_desktop.core.fieldwork import describe_recording, transcript_path

    wav = tmp_path / "S_01.wav"
    sf.write(wav, np.zeros(16000 * 75, np.float32), 16000)
    assert describe_recording(wav) == "1:15 · no transcript"
    transcript = Transcript("sah", 75.0, (Segment(0.0, 2.0, "kyys"),))
    save_transcript(transcript_path(wav), transcript, edited=False)
    assert describe_recording(wav) == "1:15 · transcribed"
    save_transcript(transcript_path(wav), transcript, edited=True)
    assert describe_recording(wav) == "1:15 · corrected by hand"
    damaged = tmp_path / "S_02.wav"
    damaged.write_bytes(b"RIFF and nothing of a recording")
    assert describe_recording(damaged) == "unreadable · no transcript"
    recorder = Recorder(tmp_path / "S_03.wav", 48000, 1, free_space=lambda p: 10**12)
    recorder.write(np.zeros(4800, np.float32))
    assert describe_recording(recorder.path) == "being recorded"
    recorder.close()
    assert describe_recording(recorder.path) == "0:00 · no transcript"


def test_a_session_whose_details_cannot_be_read_hides_no_other(tmp_path: Path) -> None:
    project = Project(tmp_path / "project")
    good = project.create(SessionInfo(id="", title="Songs", language="sah"))
    newer = project.create(SessionInfo(id="", title="Tales", language="sah"))
    broken = project.create(SessionInfo(id="", title="Riddles", language="sah"))
    metadata = project.folder / newer.id / "session.json"
    data = json.loads(metadata.read_text())
    data["speakers"] = [{"id": "SP1", "name": "Aiyyna", "born": "1950"}]
    metadata.write_text(json.dumps({**data, "recording_gain": "-6 dB"}))  # keys from a newer version
    (project.folder / broken.id / "session.json").write_text('{"id": "2026-11-24_Riddles", "title": ')
    with pytest.raises(UserError, match="could not be read"):
        project.sessions()
    unreadable: list[UserError] = []
    assert [i.id for i in project.sessions(unreadable)] == sorted([good.id, newer.id])
    assert [str(e) for e in unreadable] == [
        f"The details of session '{broken.id}' could not be read (Expecting value: line 1 column 39 (char 38)); "
        f"its recordings are untouched: repair {project.folder / broken.id / 'session.json'} in a text editor, "
        "or restore it from a backup."
    ]
    info = project.session(newer.id)
    info.place = "Yakutsk"
    project.save(info)
    assert json.loads(metadata.read_text())["recording_gain"] == "-6 dB", "what this version does not know is kept"
    assert json.loads(metadata.read_text())["place"] == "Yakutsk"
    assert json.loads(metadata.read_text())["speakers"] == [{"id": "SP1", "name": "Aiyyna", "born": "1950"}]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ('["Songs"]', "it does not hold an object of named values"),
        ('{"id": "S", "title": 7}', "'title' is not text"),
        ('{"id": "S"}', "'title' is missing"),
        ('{"id": "S", "title": "Songs", "speakers": ["Maria"]}', "'speakers' is not a list of speakers"),
    ],
)
def test_session_details_of_the_wrong_shape_say_what_is_wrong(tmp_path: Path, data: str, why: str) -> None:
    project = Project(tmp_path)
    (tmp_path / "S").mkdir()
    (tmp_path / "S" / "session.json").write_text(data)
    with pytest.raises(UserError, match=re.escape(f"could not be read ({why}")):
        project.session("S")


def test_a_damaged_transcript_says_how_to_get_it_back_and_is_set_aside_not_lost(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    from mms_desktop.core.fieldwork import describe_recording, open_transcript, transcript_path

    wav = tmp_path / "S_01.wav"
    sf.write(wav, np.zeros(16000 * 2, np.float32), 16000)
    saved = transcript_path(wav)
    corrected = Transcript("sah", 2.0, (Segment(0.0, 2.0, "kyys"),))
    save_transcript(saved, Transcript("sah", 2.0, (Segment(0.0, 2.0, "kys"),)), edited=False)
    save_transcript(saved, corrected, edited=True)  # the .bak: the machine transcript before the correction
    backup = tmp_path / ".mms-desktop" / "S_01.json.bak"
    saved.write_text('{"language": "sah", "segm')  # cut short
    assert describe_recording(wav) == "0:02 · transcript unreadable"
    with pytest.raises(UserError) as caught:
        open_transcript(wav)
    assert str(caught.value) == ("S_01.json could not be read as a transcript; copy .mms-desktop/S_01.json.bak (its "
                                 "version before the last save) over it, or transcribe S_01.wav again: the damaged "
                                 "file is then set aside, not deleted.")  # fmt: skip
    kept = backup.read_bytes()
    save_transcript(saved, Transcript("sah", 2.0, (Segment(0.0, 2.0, "kyyс"),)), edited=False)  # transcribed anew
    assert open_transcript(wav).segments[0].text == "kyyс"
    assert backup.read_bytes() == kept, "the last good version is not replaced by the damaged one"
    (aside,) = tmp_path.glob("S_01-unreadable-*.json")
    assert aside.read_text() == '{"language": "sah", "segm'
    backup.unlink()
    saved.write_text("[]")
    with pytest.raises(UserError, match="^S_01.json could not be read as a transcript; transcribe S_01.wav again"):
        open_transcript(wav)


def test_recordings_made_elsewhere_are_copied_in_verified_and_left_untouched(tmp_path: Path, monkeypatch) -> None:
    import threading

    import numpy as np
    import soundfile as sf

    from mms_desktop.core.base import AudioError, Cancelled, Progress, fsutil
    from mms_desktop.core.fieldwork import add_recordings, describe_recording, origin

    card = tmp_path / "card"
    card.mkdir()
    sf.write(card / "ZOOM0042.WAV", np.random.default_rng(0).normal(0, 0.1, 32000), 16000)
    sf.write(card / "ZOOM0043.flac", np.random.default_rng(1).normal(0, 0.1, 16000), 16000)
    (card / "notes.txt").write_text("not audio")
    originals = {p.name: p.read_bytes() for p in card.iterdir()}
    project = Project(tmp_path / "project")
    info = project.create(SessionInfo(id="", title="Songs", language="sah"))
    folder = project.folder / info.id

    with pytest.raises(AudioError, match="notes.txt"):
        add_recordings(project, info.id, [card / "ZOOM0042.WAV", card / "notes.txt"])
    assert project.recordings(info.id) == [], "every file is checked before anything is copied"
    seen: list[Progress] = []
    added = add_recordings(project, info.id, [card / "ZOOM0042.WAV", card / "ZOOM0043.flac"], seen.append)
    assert [p.name for p in added] == [f"{info.id}_01.wav", f"{info.id}_02.flac"]
    assert project.recordings(info.id) == added
    assert added[0].read_bytes() == originals["ZOOM0042.WAV"] and added[1].read_bytes() == originals["ZOOM0043.flac"]
    assert {p.name: p.read_bytes() for p in card.iterdir()} == originals
    assert origin(added[1]) == str(card / "ZOOM0043.flac") and seen[-1].done == seen[-1].total
    assert describe_recording(added[1]) == "0:01 · no transcript · from ZOOM0043.flac"
    assert "ZOOM0043.flac (2 of 2)" in seen[-1].detail
    with pytest.raises(UserError, match="is already one of this session's recordings"):
        add_recordings(project, info.id, [added[0]])

    cancel = threading.Event()
    copied: list[Path] = []
    with pytest.raises(Cancelled):
        add_recordings(project, info.id, [card / "ZOOM0043.flac", card / "ZOOM0042.WAV"],
                       lambda p: cancel.set() if "2 of 2" in p.detail else None, cancel, copied)  # fmt: skip
    assert [p.name for p in copied] == [f"{info.id}_03.flac"], "the one copied before the cancel stays"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        [f"{info.id}_01.wav", f"{info.id}_02.flac", f"{info.id}_03.flac", "session.json"]
    ), "nothing partial is left"

    monkeypatch.setattr(fsutil, "sha256_file", lambda path: "0" * 64)  # the copy reads back different
    with pytest.raises(UserError, match="ZOOM0042.WAV could not be copied into the session"):
        add_recordings(project, info.id, [card / "ZOOM0042.WAV"])
    assert len(project.recordings(info.id)) == 3 and not list(folder.glob(".*.part"))


@pytest.mark.parametrize("hostile_id", ["../elsewhere", "/tmp/elsewhere", "..", "a/../../b", "", 5, None])
def test_a_session_id_read_from_its_file_never_becomes_a_path(tmp_path: Path, hostile_id) -> None:
    from mms_desktop.core.fieldwork import add_recordings, transcript_path

    project = Project(tmp_path / "project")
    info = project.create(SessionInfo(id="", title="Shared", language="eng"))
    metadata = project.folder / info.id / "session.json"
    data = json.loads(metadata.read_text())
    metadata.write_text(json.dumps(data | {"id": hostile_id}))
    if not isinstance(hostile_id, str):
        with pytest.raises(UserError, match="'id' is not text"):
            project.session(info.id)
        return
    loaded = project.session(info.id)
    assert loaded.id == info.id, "the folder is the session, whatever its file says"
    card = tmp_path / "card"
    card.mkdir()
    import numpy as np
    import soundfile as sf

    sf.write(card / "ZOOM0001.wav", np.zeros(1600, np.float32), 16000)
    (added,) = add_recordings(project, loaded.id, [card / "ZOOM0001.wav"])
    save_transcript(transcript_path(added), Transcript("eng", 0.1, ()), edited=False)
    project.save(loaded)
    inside = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert all(p.parts[0] in ("project", "card") for p in inside), inside
    assert added.parent == project.folder / info.id


@pytest.mark.parametrize("name", ["../x", "..", ".", "/etc", "a/b", "a\\b", ".hidden", ""])
def test_a_session_name_given_by_the_user_stays_inside_the_project(tmp_path: Path, name: str) -> None:
    project = Project(tmp_path / "project")
    with pytest.raises(UserError, match="is not the name of a session folder in"):
        project.session(name)
    with pytest.raises(UserError, match="is not the name of a session folder in"):
        project.next_recording(name)


def test_side_files_an_older_version_left_beside_the_recordings_move_into_the_hidden_folder(tmp_path: Path) -> None:
    import soundfile as sf

    from mms_desktop.core.audio import Sidecar, wav_header
    from mms_desktop.core.fieldwork import ExportChanged, export_beside, open_transcript, origin, transcript_path

    project = Project(tmp_path / "project")
    info = project.create(SessionInfo(id="", title="Old layout", language="sah"))
    folder = project.folder / info.id
    done, crashed = folder / "S_01.wav", folder / "S_02.wav"
    sf.write(done, np.zeros(16000, np.float32), 16000)
    crashed.write_bytes(wav_header(16000, 1, 0) + np.full(8000, 1000, np.int16).tobytes())
    old = {  # as versions before the hidden folder wrote them
        "S_01.wav.json": json.dumps({"state": "complete", "sample_rate": 16000, "channels": 1}),
        "S_02.wav.json": json.dumps({"state": "recording", "sample_rate": 16000, "channels": 1}),
        "S_01.json.bak": json.dumps({"language": "sah", "duration": 1.0, "segments": [], "text": "before"}),
        ".sources.json": json.dumps({"S_01.wav": {"from": "/media/card/ZOOM0001.WAV"}}),
        "notes.wav.json": "the linguist's own file, not a recording's description",
    }
    for name, text in old.items():
        (folder / name).write_text(text)
    transcript = Transcript("sah", 1.0, (Segment(0.0, 1.0, "kyys"),))
    save_transcript(transcript_path(done), transcript, edited=False)
    eaf = export_beside(done, transcript, "eaf")  # an export made now, before the move
    (folder / ".exports.json").write_text(json.dumps({"S_01.TextGrid": "0" * 64}))  # and one an older version made
    hidden = folder / ".mms-desktop"
    (hidden / "S_01.json.bak").write_text('{"text": "a newer backup"}')  # its place is taken: both are kept

    assert project.repair(info.id) == [folder / "S_02.recovered.wav"]  # opening the session
    assert sorted(p.name for p in folder.iterdir()) == [
        ".mms-desktop",
        "S_01.eaf",
        "S_01.json",
        "S_01.wav",
        "S_02.recovered.wav",
        "S_02.wav",
        "notes.wav.json",
        "session.json",
    ], "only recordings, transcripts, exports and the user's own files are left beside the recordings"
    assert json.loads((hidden / "S_01.json.bak.2").read_text())["text"] == "before"
    assert (hidden / "S_01.json.bak").read_text() == '{"text": "a newer backup"}'
    assert Sidecar.read(done).state == "complete" and Sidecar.read(crashed).state == "recovered"
    assert origin(done) == "/media/card/ZOOM0001.WAV"
    assert json.loads((hidden / "exports.json").read_text()).keys() == {"S_01.eaf", "S_01.TextGrid"}
    assert export_beside(done, transcript, "eaf") == eaf, "the export record survived the move"
    (folder / "S_01.TextGrid").write_text("changed in Praat")
    with pytest.raises(ExportChanged):
        export_beside(done, transcript, "textgrid")
    assert open_transcript(done) == transcript
    assert project.recordings(info.id) == [done, folder / "S_02.recovered.wav"]
    assert (folder / "notes.wav.json").read_text() == old["notes.wav.json"]
