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
