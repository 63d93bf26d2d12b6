"""Hostile language packs: bombs, names that climb out of the store, links, lying and broken indexes.

Each is generated here; each must end in one sentence, install nothing, leave the store's staging
empty and write nothing outside the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from mms_desktop.core.base import StoreError
from mms_desktop.core.store import LanguageStore, import_pack

REPO = "facebook/mms-1b-all"
BIG = 300 << 20  # zeros: 300 MiB compress to about 300 kB


class Zeros(io.RawIOBase):
    """``size`` zero bytes, read without holding them in memory."""

    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def zeros_sha256(size: int) -> str:
    digest, left = hashlib.sha256(), size
    while left:
        n = min(left, 1 << 22)
        digest.update(bytes(n))
        left -= n
    return digest.hexdigest()


def index(files: dict[str, tuple[int, str]], repo: str = REPO) -> bytes:
    return json.dumps(
        {"format": 1, "repos": {repo: {n: {"size": s, "sha256": h} for n, (s, h) in files.items()}}}
    ).encode()


def tar_pack(path: Path, index_bytes: bytes, members: dict[str, int], mode: str = "w:gz", link: str = "") -> Path:
    with tarfile.open(path, mode) as tar:
        info = tarfile.TarInfo("mms-pack.json")
        info.size = len(index_bytes)
        tar.addfile(info, io.BytesIO(index_bytes))
        for name, size in members.items():
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BufferedReader(Zeros(size)))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return path


def zip_pack(path: Path, index_bytes: bytes, members: dict[str, int]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mms-pack.json", index_bytes)
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as out:
                left = size
                while left:
                    n = min(left, 1 << 22)
                    out.write(bytes(n))
                    left -= n
    return path


@pytest.fixture(scope="module")
def bomb_digest() -> str:
    return zeros_sha256(BIG)


def hostile_packs(folder: Path, bomb_digest: str) -> dict[str, tuple[Path, str]]:
    """Each hostile pack, with the words its refusal must contain."""
    adapter = "adapter.fra.safetensors"
    honest_bomb = index({adapter: (BIG, bomb_digest)})
    lying_bomb = index({adapter: (10, zeros_sha256(10))})
    ten = index({adapter: (10, zeros_sha256(10))})
    return {
        "tar.gz bomb, declared": (
            tar_pack(folder / "a.tar.gz", honest_bomb, {f"{REPO}/{adapter}": BIG}),
            "more than a language pack can hold",
        ),
        "zip bomb, declared": (
            zip_pack(folder / "b.zip", honest_bomb, {f"{REPO}/{adapter}": BIG}),
            "more than a language pack can hold",
        ),
        "tar.gz bomb, understated": (
            tar_pack(folder / "c.tar.gz", lying_bomb, {f"{REPO}/{adapter}": BIG}),
            "is damaged",
        ),
        "zip bomb, understated": (zip_pack(folder / "d.zip", lying_bomb, {f"{REPO}/{adapter}": BIG}), "is damaged"),
        "repo climbing out": (
            tar_pack(
                folder / "f.tar",
                index({"x.json": (10, "0" * 64)}, repo="../../escape"),
                {"../../escape/x.json": 10},
                mode="w",
            ),
            "names an unsafe file",
        ),
        "file climbing out": (
            zip_pack(folder / "g.zip", index({"../../../x": (10, "0" * 64)}), {f"{REPO}/../../../x": 10}),
            "names an unsafe file",
        ),
        "absolute name": (
            tar_pack(folder / "h.tar", index({"/tmp/x": (10, "0" * 64)}), {}, mode="w"),
            "names an unsafe file",
        ),
        "a link where a file should be": (
            tar_pack(folder / "i.tar", ten, {}, mode="w", link=f"{REPO}/{adapter}"),
            "lacks facebook/mms-1b-all/adapter.fra.safetensors",
        ),
        "index nested deeply": (
            tar_pack(folder / "j.tar", b"[" * 100_000 + b"]" * 100_000, {}, mode="w"),
            "is not a language pack",
        ),
        "index of 2 MB": (tar_pack(folder / "k.tar", b" " * (2 << 20) + ten, {}, mode="w"), "is not a language pack"),
        "size that is text": (
            tar_pack(folder / "l.tar", index({adapter: ("10", "0" * 64)}), {}, mode="w"),  # type: ignore[dict-item]
            "is not a language pack",
        ),
        "negative size": (
            tar_pack(folder / "m.tar", index({adapter: (-1, "0" * 64)}), {}, mode="w"),
            "is not a language pack",
        ),
        "index that is a list": (tar_pack(folder / "n.tar", b"[1, 2]", {}, mode="w"), "is not a language pack"),
        "index not UTF-8": (tar_pack(folder / "o.tar", b"\xff\xfe{", {}, mode="w"), "is not a language pack"),
    }


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory, bomb_digest: str) -> dict[str, tuple[Path, str]]:
    return hostile_packs(tmp_path_factory.mktemp("hostile"), bomb_digest)


CASES = [
    "tar.gz bomb, declared",
    "zip bomb, declared",
    "tar.gz bomb, understated",
    "zip bomb, understated",
    "repo climbing out",
    "file climbing out",
    "absolute name",
    "a link where a file should be",
    "index nested deeply",
    "index of 2 MB",
    "size that is text",
    "negative size",
    "index that is a list",
    "index not UTF-8",
]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_pack_is_one_sentence_and_leaves_nothing(case: str, packs, tmp_path: Path) -> None:
    pack, words = packs[case]
    root = tmp_path / "data" / "store"
    canary = tmp_path / "data" / "canary"
    canary.mkdir(parents=True)
    store = LanguageStore(root)
    with pytest.raises(StoreError) as caught:
        import_pack(store, pack)
    message = str(caught.value)
    assert words in message and "\n" not in message, message
    assert store.installed() == []
    written = [p for p in root.rglob("*") if p.is_file()]
    assert written == [], written
    assert {p.name for p in (tmp_path / "data").iterdir()} <= {"canary", "store"}
    assert not any(canary.iterdir()) and not (tmp_path / "escape").exists()


def test_what_the_index_does_not_list_is_never_unpacked(tmp_path: Path) -> None:
    adapter = "adapter.fra.safetensors"
    ten = index({adapter: (10, zeros_sha256(10))})
    pack = tar_pack(tmp_path / "pack.tar.gz", ten, {f"{REPO}/{adapter}": 10, "filler": BIG, "../../outside": 10})
    store = LanguageStore(tmp_path / "data" / "store")
    assert import_pack(store, pack) == [f"{REPO}/{adapter}"]
    written = [p for p in store.root.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in written) < 10_000, written  # the adapter and the store's records
    assert not (tmp_path / "outside").exists() and not (tmp_path / "data" / "filler").exists()
