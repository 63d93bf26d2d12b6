"""Putting MMS Desktop's recognizers where ELAN finds them, and taking them away again.

Each recognizer is a folder ``mms-desktop-KEY`` in ELAN's ``extensions`` folder with its CMDI description,
the script ELAN runs (``run.sh``; ``run.bat`` on Windows), which starts this installed MMS Desktop on the
same data folder (so ELAN sees the languages and models installed here), and a page of documentation.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from mms_desktop.core.base import UserError, atomic_write_text
from mms_desktop.elan.recognizers import AUDIO, SPECS, TIER, Param, Spec

PREFIX = "mms-desktop-"
MARK = "installed-by-mms-desktop"  # only folders holding this are ever removed


def installations() -> list[Path]:
    """ELAN's extensions folders in the places its installers use, newest version first."""
    home = Path.home()
    if sys.platform == "darwin":
        patterns = [
            (Path("/Applications"), "ELAN*.app/Contents/app/extensions"),
            (home / "Applications", "ELAN*.app/Contents/app/extensions"),
        ]
    elif sys.platform == "win32":
        roots = [os.environ.get(v, "") for v in ("LOCALAPPDATA", "ProgramFiles", "ProgramFiles(x86)")]
        patterns = [(Path(r), "ELAN*/app/extensions") for r in roots if r]
    else:
        patterns = [(root, "ELAN*/lib/app/extensions") for root in (home, Path("/opt"), Path("/usr/local"))]
    found = [p for root, pattern in patterns if root.is_dir() for p in root.glob(pattern) if p.is_dir()]
    return sorted(found, key=lambda p: str(p), reverse=True)


def target(elan_dir: str | None) -> Path:
    """The extensions folder to use: the one given (ELAN's folder or its extensions folder), or the newest
    installation's.

    Raises:
        UserError: none is given and none is found.
    """
    if elan_dir:
        folder = Path(elan_dir).expanduser()
        if not folder.is_dir():
            raise UserError(f"{folder} is not a folder; give ELAN's extensions folder with --elan-dir.")
        inner = [
            folder / "extensions",
            folder / "lib/app/extensions",
            folder / "app/extensions",
            folder / "Contents/app/extensions",
        ]
        return next((p for p in inner if p.is_dir()), folder)
    found = installations()
    if not found:
        raise UserError(
            "No ELAN installation was found in the usual places; give its extensions folder with --elan-dir "
            "(for example ~/ELAN_6-9/lib/app/extensions)."
        )
    return found[0]


def command() -> list[str]:
    """The command that runs this MMS Desktop: the bundle's executable, or this Python with the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "mms_desktop"]


def cmdi(spec: Spec) -> str:
    """The CMDI description ELAN reads for ``spec`` (a CLARIN component of the recognizer profile)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<CMD CMDVersion="1.1" xmlns="http://www.clarin.eu/cmd/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.clarin.eu/cmd/ http://catalog.clarin.eu/ds/ComponentRegistry/rest/'
        'registry/profiles/clarin.eu:cr1:p_1430905751617/xsd">',
        "  <Header></Header>",
        "  <Resources><ResourceProxyList></ResourceProxyList><JournalFileProxyList></JournalFileProxyList>"
        "<ResourceRelationList></ResourceRelationList></Resources>",
        "  <Components>",
        "    <RECOGNIZER>",
        f'      <recognizer recognizerType="local" runLinux="./run.sh" runMac="./run.sh" '
        f'runWin="cmd /c run.bat" info={quoteattr(spec.info)}>{escape(spec.ident)}</recognizer>',
        "      <documentation>mms-desktop.html</documentation>",
        *[f"      {_param(p)}" for p in spec.params],
        "    </RECOGNIZER>",
        "  </Components>",
        "</CMD>",
    ]
    return "\n".join(lines) + "\n"


def _param(p: Param) -> str:
    if p.kind == "textparam":
        return f'<textparam level="basic" default={quoteattr(p.default)} info={quoteattr(p.info)}>{p.name}</textparam>'
    mimetypes = AUDIO if p.type == "audio" else TIER
    optional = "true" if p.optional else "false"
    return (
        f'<{p.kind} level="basic" type="{p.type}" optional="{optional}" mimetypes="{mimetypes}" '
        f"info={quoteattr(p.info)}>{p.name}</{p.kind}>"
    )


def _scripts(key: str, data_dir: Path) -> tuple[str, str]:
    args = [*command(), "--data-dir", str(data_dir), "elan", "run", key]
    sh = " ".join("'" + a.replace("'", "'\\''") + "'" for a in args)
    bat = " ".join(f'"{a}"' for a in args)
    note = f"MMS Desktop's {key} recognizer for ELAN (mms-desktop elan install)."
    unix = f"#!/bin/sh\n# {note}\nexport PYTHONIOENCODING=utf-8\nexec {sh}\n"
    windows = f"@echo off\r\nrem {note}\r\nset PYTHONIOENCODING=utf-8\r\n{bat}\r\n"
    return unix, windows


def _documentation(spec: Spec, data_dir: Path) -> str:
    rows = "".join(f"<li><b>{escape(p.name)}</b>: {escape(p.info)}</li>" for p in spec.params)
    return (
        f"<html><head><meta charset='utf-8'><title>{escape(spec.info)}</title></head><body>"
        f"<h1>{escape(spec.info)}</h1><p>Runs MMS Desktop on this computer with the languages and models "
        f"installed in {escape(str(data_dir))}. Install more with MMS Desktop (Languages) or "
        f"<code>mms-desktop languages install CODE</code>.</p><ul>{rows}</ul></body></html>\n"
    )


def install(folder: Path, data_dir: Path) -> list[Path]:
    """Write every recognizer into ``folder`` (replacing those an earlier install wrote); their folders."""
    written = []
    for key, spec in SPECS.items():
        place = folder / f"{PREFIX}{key}"
        try:
            place.mkdir(parents=True, exist_ok=True)
            unix, windows = _scripts(key, data_dir)
            atomic_write_text(place / f"{key}.cmdi", cmdi(spec))
            atomic_write_text(place / "run.sh", unix)
            (place / "run.sh").chmod(0o755)
            atomic_write_text(place / "run.bat", windows)
            atomic_write_text(place / "mms-desktop.html", _documentation(spec, data_dir))
            atomic_write_text(
                place / MARK, "Written by mms-desktop elan install; mms-desktop elan uninstall removes it.\n"
            )
        except OSError as exc:
            raise UserError(
                f"The recognizer cannot be written to {folder} ({exc.strerror or exc}); give a folder you can "
                "write to with --elan-dir, or run the command as the user who installed ELAN."
            ) from exc
        written.append(place)
    return written


def uninstall(folder: Path) -> list[Path]:
    """Remove the recognizers an install wrote into ``folder`` (nothing else); the folders removed."""
    removed = []
    for place in sorted(folder.glob(f"{PREFIX}*")):
        if (place / MARK).is_file():
            shutil.rmtree(place)
            removed.append(place)
    return removed
