"""The file benchmark's measuring code, on the demonstration pack (the full-size run is `benchmark file`)."""

from mms_desktop.benchmark import file
from mms_desktop.paths import resources_dir


def test_each_process_measures_one_configuration_and_the_baseline() -> None:
    models = resources_dir() / "models" / "mms-desktop"
    figures, baseline = file.run(models / "demo-asr", models / "demo-lid", ["float32"], 8.0)
    f = figures[0]
    assert f.precision == "float32" and f.audio_s == 8.0
    assert 0 < f.plain_s and 0 < f.transcribe_s and 0 < f.load_s and 0 < f.switch_ms and baseline > 0
    assert 100 < f.peak_rss_mb < 4000
    assert 0 < f.mapped_mb < f.peak_rss_mb  # the weights are mapped from their file, and counted apart
    assert f.device == "cpu" and f.gpu_peak_mb == 0
    text = file.report("demo", figures, baseline)
    assert "x faster than the pipeline" in text and "x the plain pass" in text and "peak resident memory" in text
