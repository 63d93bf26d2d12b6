import json

from mms_desktop import findings
from mms_desktop.core.engine import ModelHost


def row(precision: str, seconds: float, memory_mb: float) -> dict:
    return {"precision": precision, "transcribe_s": seconds, "peak_rss_mb": memory_mb}


def test_the_fastest_wins_and_memory_breaks_near_ties() -> None:
    assert findings.best_cpu_precision([row("float32", 49, 8150), row("bfloat16", 19, 4340)]) == "bfloat16"
    near = [row("float32", 49, 8150), row("bfloat16", 19.0, 4340), row("int8", 20.5, 2700)]
    assert findings.best_cpu_precision(near) == "int8"  # 8 % slower, 38 % less memory
    far = [row("bfloat16", 19.0, 4340), row("int8", 25.0, 2700)]
    assert findings.best_cpu_precision(far) == "bfloat16"
    assert findings.best_cpu_precision([]) is None


def test_recorded_choice_drives_the_automatic_precision_on_the_cpu(tmp_path, tiny_repos, monkeypatch) -> None:
    from mms_desktop.core.checkpoints import loading
    from mms_desktop.core.store import LanguageStore

    path = tmp_path / "benchmark.json"
    assert findings.cpu_precision(path) is None
    assert findings.record(path, [row("bfloat16", 19.0, 4340), row("int8", 19.5, 2700)]) == "int8"
    assert json.loads(path.read_text())["figures"][1]["precision"] == "int8"
    assert findings.cpu_precision(path) == "int8"

    store = LanguageStore(tmp_path / "store", bundled=[tiny_repos["facebook/mms-1b-all"].parent.parent])
    asr = str(tiny_repos["facebook/mms-1b-all"])
    host = ModelHost(store, "cpu", "auto", findings.cpu_precision(path))
    assert host.recognizer(asr, "eng").placement.dtype == "float32"  # a small model stays exact
    monkeypatch.setattr(loading, "SMALL_MODEL_BYTES", 0)  # the tiny model stands in for a large one
    host = ModelHost(store, "cpu", "auto", findings.cpu_precision(path))
    assert host.recognizer(asr, "eng").placement.dtype == "int8"
    assert ModelHost(store, "cpu", "float32", "int8").effective_precision() == "float32"  # an explicit choice wins

    path.write_text("{not json")
    assert findings.cpu_precision(path) is None  # a damaged file is ignored, not fatal
    path.write_text(json.dumps({"cpu_precision": "int4"}))
    assert findings.cpu_precision(path) is None


def test_a_busy_machine_has_the_last_word_for_live_dictation(tmp_path) -> None:
    path = tmp_path / "benchmark.json"
    # benchmark file: bf16 the fastest by far
    assert findings.record(path, [row("bfloat16", 19.0, 4340), row("int8", 25.0, 2700)]) == "bfloat16"
    # streaming --load: bf16's final text came 3.98 s after the voice with one core busy, int8's 2.23 s
    loaded = {"bfloat16": {"final_max_loaded_s": 3.98}, "int8": {"final_max_loaded_s": 2.23}}
    assert findings.record_live(path, loaded) == "int8"
    assert findings.cpu_precision(path) == "int8"
    saved = json.loads(path.read_text())
    assert saved["file_precision"] == "bfloat16" and saved["figures"], "what benchmark file found is kept"
    # a later benchmark file keeps what the busy machine showed
    assert findings.record(path, [row("bfloat16", 18.0, 4340), row("int8", 25.0, 2700)]) == "int8"
    # a precision that keeps within the goal under load keeps the file benchmark's choice
    assert findings.record_live(path, {"bfloat16": {"final_max_loaded_s": 2.5}}) == "bfloat16"


def test_where_no_precision_keeps_up_the_closest_is_taken() -> None:
    live = {
        "float32": {"final_max_loaded_s": 9.0},
        "bfloat16": {"final_max_loaded_s": 4.5},
        "int8": {"final_max_loaded_s": 3.4},
    }
    assert findings.live_choice(live, "bfloat16") == "int8"
    assert findings.live_choice({"int4": {"final_max_loaded_s": 1.0}, "int8": "x"}, "bfloat16") == "bfloat16"


def test_findings_written_before_live_figures_existed_are_still_read(tmp_path) -> None:
    path = tmp_path / "benchmark.json"
    path.write_text(json.dumps({"cpu_precision": "bfloat16", "figures": []}))
    assert findings.cpu_precision(path) == "bfloat16"
