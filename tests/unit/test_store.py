"""The language store through huggingface_hub over real HTTP against a local hub."""

import shutil
import threading
from pathlib import Path

import pytest

from mms_desktop.core.base import Cancelled, ModelError, StoreError, UserError, disk_full
from mms_desktop.core.store import HubClient, LanguageStore, export_pack, import_pack, load_catalogue
from mms_desktop.core.store import installed as store_module


def staging_is_empty(store: LanguageStore) -> bool:
    staging = store.root / ".staging"
    return not staging.exists() or not any(staging.iterdir())


def test_catalogue_lists_adapters_voices_and_identifiers_and_is_cached(store, hub) -> None:
    catalogue = HubClient(store, endpoint=hub.url).refresh_catalogue()
    assert set(catalogue.adapters) == {"eng", "fra", "cmn-script_simplified"}
    assert catalogue.adapters["cmn-script_simplified"] > catalogue.adapters["eng"]
    assert catalogue.voices == ["eng", "rus"] and catalogue.lid_models == ["facebook/mms-lid-126"]
    assert load_catalogue(store) == catalogue  # readable offline afterwards


def test_install_fetches_the_base_once_then_only_adapters(store, hub) -> None:
    client = HubClient(store, endpoint=hub.url)
    events = []
    client.install(["fra"], progress=events.append)
    assert events[-1].done == events[-1].total > 0
    assert "facebook/mms-1b-all/model.safetensors" in hub.file_gets
    listings = [r for r in hub.requests if r.startswith("GET /api/models/facebook/mms-1b-all")]
    assert len(listings) == 1, "one install asks for the repo's file list once"
    hub.file_gets.clear()
    assert client.install(["cmn-script_simplified"]) == ["adapter.cmn-script_simplified.safetensors"]
    assert hub.file_gets == ["facebook/mms-1b-all/adapter.cmn-script_simplified.safetensors"]
    installed = {lang.name: lang for lang in store.installed()}
    assert installed["fra"].recognition and not installed["fra"].voice
    assert list(store.repo_dir("facebook/mms-1b-all").glob("*.bin")) == []
    assert staging_is_empty(store)


def test_install_of_a_language_with_a_voice_installs_both(store, hub) -> None:
    HubClient(store, endpoint=hub.url).install(["eng"])
    (eng,) = store.installed()
    assert eng.recognition and eng.voice
    assert store.voice_dir("eng") == store.repo_dir("facebook/mms-tts-eng")


def test_unknown_language_fails_before_any_download(store, hub) -> None:
    with pytest.raises(StoreError, match="'xyz' is not a language MMS offers"):
        HubClient(store, endpoint=hub.url).install(["fra", "xyz"])
    assert hub.file_gets == [] and store.installed() == []


def test_cancel_leaves_nothing_installed(store, hub) -> None:
    cancel = threading.Event()

    def progress(p) -> None:
        if p.detail.endswith("model.safetensors"):
            cancel.set()

    with pytest.raises(Cancelled):
        HubClient(store, endpoint=hub.url).install(["fra"], progress=progress, cancel=cancel)
    assert store.installed() == [] and not store.has("facebook/mms-1b-all")
    assert not (store.repo_dir("facebook/mms-1b-all") / "model.safetensors").exists()
    assert staging_is_empty(store)


def test_corrupted_file_is_discarded(store, hub) -> None:
    hub.faults["adapter.fra.safetensors"] = "corrupt"
    with pytest.raises(StoreError, match="adapter.fra.safetensors failed its checksum and was discarded"):
        HubClient(store, endpoint=hub.url).install(["fra"])
    assert store.installed() == []
    assert not (store.repo_dir("facebook/mms-1b-all") / "adapter.fra.safetensors").exists()
    assert staging_is_empty(store)


def test_interrupted_transfer_fails_cleanly(store, hub) -> None:
    hub.faults["adapter.fra.safetensors"] = "truncate"
    with pytest.raises(StoreError, match="check the network connection and try again"):
        HubClient(store, endpoint=hub.url).install(["fra"])
    assert store.installed() == [] and staging_is_empty(store)


def test_transfer_interrupted_once_resumes_and_verifies(store, hub) -> None:
    hub.faults["adapter.fra.safetensors"] = "truncate-once"
    HubClient(store, endpoint=hub.url).install(["fra"])
    assert [lang.name for lang in store.installed()] == ["fra"]
    record = store.installed_files(store.repo_dir("facebook/mms-1b-all"))["adapter.fra.safetensors"]
    assert record.sha256 is not None and len(record.sha256) == 64


def test_too_little_free_space_is_said_before_any_download_or_import(store, hub, installed_home, tmp_path,
                                                                     monkeypatch) -> None:  # fmt: skip
    pack = export_pack(LanguageStore(installed_home / "store"), ["fra"], tmp_path / "pack")
    nearly_full = shutil.disk_usage(tmp_path).free + 10**9  # the disk as it is, with more kept spare than it has
    monkeypatch.setattr(store_module, "SPARE_BYTES", nearly_full)
    message = r"This needs [\d.]+ GB of free space on the disk that holds .*store .* it has [\d.]+ .B; free some space"
    with pytest.raises(StoreError, match=message):
        HubClient(store, endpoint=hub.url).install(["eng", "fra"])
    assert hub.file_gets == [] and store.installed() == []
    with pytest.raises(StoreError, match=message):
        import_pack(store, pack)
    assert store.installed() == [] and staging_is_empty(store)
    monkeypatch.undo()
    HubClient(store, endpoint=hub.url).install(["eng", "fra"])
    assert hub.file_gets.count("facebook/mms-1b-all/model.safetensors") == 1, "languages share the base model"


def test_a_disk_that_fills_during_a_download_is_one_sentence(store) -> None:
    def write_to_a_full_disk() -> None:
        with open("/dev/full", "wb") as full:
            full.write(b"weights")
            full.flush()

    with pytest.raises(UserError, match=r"^The disk is full; free some space and try again\.$") as caught:
        HubClient(store, endpoint="http://127.0.0.1:9")._call(write_to_a_full_disk, "facebook/mms-1b-all/x")
    assert disk_full(StoreError("wrapped")) is None and str(disk_full(caught.value)) == str(caught.value)


def test_a_file_changed_on_disk_is_no_longer_installed(store, hub) -> None:
    HubClient(store, endpoint=hub.url).install(["fra"])
    adapter = store.repo_dir("facebook/mms-1b-all") / "adapter.fra.safetensors"
    adapter.write_bytes(adapter.read_bytes()[:100])
    assert store.installed() == []


def test_remove(store, hub) -> None:
    HubClient(store, endpoint=hub.url).install(["eng", "fra"])
    assert store.remove(["eng"]) == ["eng"]
    assert [lang.name for lang in store.installed()] == ["fra"]
    with pytest.raises(ModelError, match="No voice is installed for 'eng'"):
        store.voice_dir("eng")
    with pytest.raises(StoreError, match="'eng' is not installed"):
        store.remove(["eng"])


@pytest.mark.parametrize("name", ["pack", "pack.tar", "pack.tar.gz", "pack.zip"])
def test_export_and_import_move_languages_without_network(tmp_path: Path, installed_home: Path, name: str) -> None:
    source = LanguageStore(installed_home / "store")
    pack = export_pack(source, ["fra", "rus", "facebook/mms-lid-126"], tmp_path / name)
    target = LanguageStore(tmp_path / "other")
    files = import_pack(target, pack)
    assert "facebook/mms-1b-all/model.safetensors" in files
    assert {(lang.name, lang.recognition, lang.voice) for lang in target.installed()} == {
        ("fra", True, False),
        ("rus", False, True),
    }
    assert target.has("facebook/mms-lid-126") and staging_is_empty(target)


def test_damaged_pack_installs_nothing_damaged(tmp_path: Path, installed_home: Path) -> None:
    pack = export_pack(LanguageStore(installed_home / "store"), ["fra"], tmp_path / "pack")
    adapter = pack / "facebook/mms-1b-all/adapter.fra.safetensors"
    adapter.write_bytes(b"x" * adapter.stat().st_size)
    target = LanguageStore(tmp_path / "other")
    with pytest.raises(StoreError, match="adapter.fra.safetensors in the pack is damaged"):
        import_pack(target, pack)
    assert target.installed() == []


def test_import_refuses_what_is_not_a_pack(tmp_path: Path, store) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(StoreError, match="is not a language pack"):
        import_pack(store, tmp_path / "folder")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(StoreError, match="is not a language pack"):
        import_pack(store, tmp_path / "x.txt")
    with pytest.raises(StoreError, match="does not exist"):
        import_pack(store, tmp_path / "missing.tar")


@pytest.mark.parametrize("name", ["pack.tar", "pack.tar.gz", "pack.zip"])
def test_a_damaged_or_cut_archive_is_one_sentence_and_installs_nothing(tmp_path: Path, installed_home: Path,
                                                                       name: str) -> None:  # fmt: skip
    pack = export_pack(LanguageStore(installed_home / "store"), ["fra"], tmp_path / name)
    cut, garbage = tmp_path / f"cut-{name}", tmp_path / f"garbage-{name}"
    data = pack.read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # a copy that stopped half way
    garbage.write_bytes(bytes(range(256)) * 40)
    target = LanguageStore(tmp_path / "other")
    for archive in (cut, garbage):
        with pytest.raises(StoreError) as caught:
            import_pack(target, archive)
        message = str(caught.value)
        assert message.startswith(str(archive)) and "copy it again" in message and "\n" not in message
    assert target.installed() == [] and staging_is_empty(target)


def test_export_refuses_to_overwrite(tmp_path: Path, installed_home: Path) -> None:
    (tmp_path / "pack.tar").write_text("precious")
    with pytest.raises(StoreError, match="already exists"):
        export_pack(LanguageStore(installed_home / "store"), ["fra"], tmp_path / "pack.tar")
    assert (tmp_path / "pack.tar").read_text() == "precious"


def test_default_model_prefers_the_installed_mms_model_over_the_bundled_demo(tmp_path, tiny_repos, hub) -> None:
    import shutil

    bundled = tmp_path / "bundled"
    shutil.copytree(tiny_repos["facebook/mms-lid-126"], bundled / "mms-desktop/demo-lid")
    demo = LanguageStore(tmp_path / "bundled")  # write the demo's manifest, as the build does
    from mms_desktop.demo.build import record_bundled

    record_bundled(bundled, "mms-desktop/demo-lid")
    store = LanguageStore(tmp_path / "store", bundled=[bundled])
    assert store.default_model("lid") == bundled / "mms-desktop/demo-lid"
    with pytest.raises(ModelError, match="No speech recognition model is installed; install a language"):
        store.default_model("asr")
    HubClient(store, endpoint=hub.url).install(["facebook/mms-lid-126"])
    assert store.default_model("lid") == store.repo_dir("facebook/mms-lid-126")
    assert demo.installed() == []


def test_bundled_languages_cannot_be_removed(tmp_path, tiny_repos) -> None:
    import shutil

    from mms_desktop.demo.build import record_bundled

    bundled = tmp_path / "bundled"
    shutil.copytree(tiny_repos["facebook/mms-1b-all"], bundled / "mms-desktop/demo-asr")
    record_bundled(bundled, "mms-desktop/demo-asr")
    store = LanguageStore(tmp_path / "store", bundled=[bundled])
    assert [lang.name for lang in store.installed()] == ["cmn-script_simplified", "eng", "fra"]
    with pytest.raises(StoreError, match="comes with the application's demonstration pack"):
        store.remove(["eng"])
    assert (bundled / "mms-desktop/demo-asr/adapter.eng.safetensors").exists()


def test_a_model_in_the_hugging_face_cache_is_installed_by_reference_and_checked(tiny_repos, tmp_path: Path) -> None:
    from factory import hf_cache_copy

    from mms_desktop.core.recognition import Recognizer, available_languages
    from mms_desktop.core.store import cached_repos

    cached = hf_cache_copy(tiny_repos["facebook/mms-1b-all"], tmp_path / "hf")
    assert cached_repos(tmp_path / "hf") == ["facebook/mms-1b-all"]
    store = LanguageStore(tmp_path / "store")
    installed = import_pack(store, cached)
    assert "facebook/mms-1b-all/model.safetensors" in installed
    folder = store.find("facebook/mms-1b-all")
    assert folder is not None and (folder / "model.safetensors").is_symlink(), "linked, not copied"
    assert available_languages(folder) == ["cmn-script_simplified", "eng", "fra"]
    Recognizer.load(folder, "fra", device="cpu")  # loads like any install
    assert import_pack(LanguageStore(tmp_path / "other"), next((cached / "snapshots").iterdir())), "a snapshot too"

    damaged = hf_cache_copy(tiny_repos["facebook/mms-1b-all"], tmp_path / "hf2")
    blob = next(p for p in (damaged / "blobs").iterdir() if p.stat().st_size > 100_000)
    data = bytearray(blob.read_bytes())
    data[5000] ^= 1
    blob.write_bytes(bytes(data))
    third = LanguageStore(tmp_path / "third")
    with pytest.raises(StoreError, match="in the Hugging Face cache is damaged"):
        import_pack(third, damaged)
    assert third.installed() == [] and not (tmp_path / "third" / "facebook").exists()
