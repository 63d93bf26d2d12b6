"""Every setting, declared once with its type, default and description, and persisted as JSON.

The engine receives a plain :class:`Settings` object; only the composition root reads and writes the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from mms_desktop.core.base import atomic_write_text, parse_json, set_aside

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2


def _option(default: Any, label: str, help: str, kind: str = "text", **extra: Any) -> Any:
    """A declared setting: its default, the label and help the settings dialog shows, and its kind
    (``text``, ``choice``, ``codes``, ``seconds``, ``folder``, ``input-device``, ``model``, ``shortcut``); ``page``
    names the settings dialog's page when it is not the usual one."""
    meta = {"label": label, "help": help, "kind": kind, **extra}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


def _dictation_option(default: Any, label: str, help: str, kind: str = "text", **extra: Any) -> Any:
    """A setting of dictation into other applications: on the settings dialog's page "Dictation"."""
    return _option(default, label, help, kind, page="Dictation", **extra)


@dataclass
class Settings:
    """User settings. Each field's metadata holds its label, description and kind."""

    asr_repo: str = _option(
        "facebook/mms-1b-all",
        "Recognition model",
        "Speech recognition model repo (owner/name) in the store.",
        "model",
        choices=("facebook/mms-1b-all", "facebook/mms-1b-l1107", "facebook/mms-1b-fl102"),
        hint="The speech recognition model: the full MMS model, once you install a language.",
    )
    lid_repo: str = _option(
        "facebook/mms-lid-126",
        "Language identifier",
        "Language identification model repo (owner/name) in the store.",
        "model",
        choices=(
            "facebook/mms-lid-126",
            "facebook/mms-lid-256",
            "facebook/mms-lid-512",
            "facebook/mms-lid-1024",
            "facebook/mms-lid-2048",
            "facebook/mms-lid-4017",
        ),
        hint="The model that tells which language is spoken.",
    )
    tts_repo_prefix: str = _option(
        "facebook/mms-tts-",
        "Voices",
        "Repo id prefix of the voices; the language code is appended.",
        advanced=True,
        hint="Where voices come from.",
    )
    language: str = _option(
        "auto",
        "Language",
        "Recognition language: an adapter name, or 'auto' to detect it.",
        advanced=True,
        hint="The language you dictate in, or Detect automatically.",
    )
    favourites: list[str] = _option(
        [],
        "Favourite languages",
        "Your own languages (codes, comma-separated), listed first in the language chooser.",
        "codes",
        hint="Your own languages, listed first wherever you choose one.",
    )
    auto_among: list[str] = _option(
        [],
        "Detect only among",
        "Languages automatic detection may choose from (codes, comma-separated; empty: every installed one).",
        "codes",
        hint="Detection chooses only among these languages; empty means every installed one.",
    )
    input_device: str = _option(
        "",
        "Microphone",
        "Input device: part of its name (empty: the system default).",
        "input-device",
        hint="The microphone to dictate and record with.",
    )
    recordings_dir: str = _option(
        "",
        "Recordings folder",
        "Where dictations are recorded (empty: Documents/MMS Desktop).",
        "folder",
        hint="Where every dictation is also saved as a sound file.",
    )
    project_dir: str = _option(
        "",
        "Field project folder",
        "The folder of your field sessions (a visible folder you back up, never a cache).",
        "folder",
        hint="Where your field sessions are kept: choose a folder that you back up.",
    )
    device: str = _option(
        "auto",
        "Compute device",
        "Where models run: auto (GPU when there is one), cpu or cuda.",
        "choice",
        choices=("auto", "cpu", "cuda"),
        hint="Where the models run: a graphics card (GPU), when there is one, is much faster.",
    )
    precision: str = _option(
        "auto",
        "Precision",
        "Model precision: auto (fp16 on GPU; on the CPU what `mms-desktop benchmark file` found fastest, or bf16 "
        "where the processor supports it, else int8), float32, bfloat16, float16 (GPU only) or int8 (CPU only: "
        "the least memory).",
        "choice",
        choices=("auto", "float32", "bfloat16", "float16", "int8"),
        hint="How exactly the models compute: less precision is faster and needs less memory.",
    )
    word_lists: str = _option(
        "use",
        "Word lists",
        "'use': a language with a word list is recognized in its words only (best for closed vocabularies such "
        "as elicitation lists; add one with `mms-desktop words add`); 'ignore': spell freely.",
        "choice",
        choices=("use", "ignore"),
        hint="With a word list, only its words are recognized: good for fixed lists of words.",
    )
    window_s: float = _option(
        20.0,
        "File window",
        "Seconds of new audio per recognition window of a file.",
        "seconds",
        minimum=2.0,
        maximum=60.0,
        hint="How much of a file is recognized at once: longer is a little more accurate.",
    )
    context_s: float = _option(
        2.0,
        "File context",
        "Seconds of context on each side of a window of a file.",
        "seconds",
        minimum=0.0,
        maximum=10.0,
        hint="How much sound around each piece of a file is listened to as well.",
    )
    # Live windows: measured with `mms-desktop benchmark streaming --sweep` on MMS-1B (2-core CPU, int8):
    # 8 + 1 s gives the offline text on every utterance of the benchmark at 1.28 x the frames of one pass;
    # 4 + 1 s and 2 + 0.5 s commit sooner but differ from offline (CER 6 % and 14 % with random weights).
    # A machine that cannot run 8 + 1 s within the delay limit gets shorter windows (core/pacing.py).
    live_window_s: float = _option(
        8.0,
        "Live window",
        "Longest stretch of new audio per recognition window while "
        "dictating (longer: more accurate; a machine too slow for it within the live "
        "delay limit uses shorter ones).",
        "seconds",
        minimum=2.0,
        maximum=60.0,
        hint="The longest piece recognized at once while dictating: longer is more accurate, but slower.",
    )
    live_context_s: float = _option(
        1.0,
        "Live context",
        "Seconds of context on each side of a window while dictating.",
        "seconds",
        minimum=0.0,
        maximum=10.0,
        hint="How much sound around each piece is listened to as well while dictating.",
    )
    live_budget: float = _option(
        1.5,
        "Live compute budget",
        "How much more work live recognition may do than "
        "transcribing the same audio as a file; partial results come less often to stay "
        "within it.",
        "factor",
        minimum=1.0,
        maximum=10.0,
        hint="How much extra work the live text may cost: less shows it less often.",
    )
    live_delay_s: float = _option(
        1.8,
        "Live delay limit",
        "Seconds the live text may trail your voice: on a slow "
        "machine shorter windows and fewer partial results keep it there (a larger limit "
        "lets the longer, more accurate windows run).",
        "seconds",
        minimum=0.5,
        maximum=30.0,
        hint="How far the live text may trail your voice: more lets a slow computer be more accurate.",
    )
    # Dictation into any application (mms_desktop/desktop).
    shortcut: str = _dictation_option(
        "Ctrl+Alt+Space",
        "Dictation shortcut",
        "The key combination that starts and stops dictation from any application (X11; elsewhere bind "
        "`mms-desktop dictation toggle` in your desktop's keyboard settings).",
        "shortcut",
        hint="Press it in any application to dictate there.",
    )
    shortcut_mode: str = _dictation_option(
        "toggle",
        "Shortcut works as",
        "'toggle': press to start, press again to stop; 'push-to-talk': dictate while the keys are held.",
        "choice",
        choices=("toggle", "push-to-talk"),
        hint="Press once to start and once to stop, or hold the keys while you speak.",
    )
    paste_key: str = _dictation_option(
        "Ctrl+V",
        "Paste with",
        "How the words go into the application in front: the paste key it understands (Ctrl+Shift+V in most "
        "terminals), or 'type' to press each key (Latin letters only, for applications that ignore paste).",
        "choice",
        choices=("Ctrl+V", "Ctrl+Shift+V", "Shift+Insert", "type"),
        hint="Terminals usually paste with Ctrl+Shift+V.",
    )
    paste_restore_s: float = _dictation_option(
        0.6,
        "Clipboard back after",
        "Seconds after a paste before your own clipboard content is put back (the application must have "
        "pasted by then).",
        "seconds",
        minimum=0.2,
        maximum=10.0,
        hint="Your clipboard is put back this long after each paste.",
    )
    between_utterances: str = _dictation_option(
        "space",
        "Between sentences",
        "What goes between two dictated sentences: a space or a new line.",
        "choice",
        choices=("space", "line"),
        hint="Each pause ends a sentence; the next one follows after a space or on a new line.",
    )
    spoken_commands: str = _dictation_option(
        "use",
        "Spoken commands",
        '\'use\': "comma", "full stop", "question mark", "new line", "new paragraph" and "scratch that" '
        "(English; also French, German and Spanish) do what they say; 'ignore': they are written as words.",
        "choice",
        choices=("use", "ignore"),
        hint='Say "comma", "new line" or "scratch that" to punctuate and correct.',
    )
    copy_on_stop: str = _dictation_option(
        "no",
        "Copy on stop",
        "'yes': when a dictation stops, its whole text is put on the clipboard.",
        "choice",
        choices=("yes", "no"),
        hint="Put the whole dictation on the clipboard when it stops.",
    )
    keep_dictation_recordings: str = _dictation_option(
        "yes",
        "Keep recordings",
        "'yes': every dictation is also saved as a sound file in the recordings folder; 'no': only its text.",
        "choice",
        choices=("yes", "no"),
        hint="Save each dictation's sound in the recordings folder too.",
    )
    close_to_tray: str = _dictation_option(
        "ask",
        "Closing the window",
        "'yes': the program stays in the tray (dictation by shortcut goes on); 'no': it quits; 'ask': ask the "
        "first time.",
        "choice",
        choices=("ask", "yes", "no"),
        hint="Keep dictating by shortcut after the window is closed.",
    )


def live_options(settings: Settings) -> Any:
    """The live recognition options (a ``StreamOptions``) these settings ask for."""
    from mms_desktop.core.recognition import StreamOptions, WindowOptions

    window = WindowOptions(settings.live_window_s, settings.live_context_s)
    return StreamOptions(window=window, compute_budget=settings.live_budget, lag_target_s=settings.live_delay_s)


UNITS = {"seconds": " seconds", "factor": " times"}  # numeric kinds and how their values read


def limits(name: str) -> tuple[float, float]:
    """The smallest and largest value the numeric setting ``name`` accepts."""
    f = next(f for f in fields(Settings) if f.name == name)
    return f.metadata["minimum"], f.metadata["maximum"]


def check(settings: Settings) -> str | None:
    """One sentence about the first invalid value, or None when every value can be used."""
    from mms_desktop.core.base import UserError, is_valid_name
    from mms_desktop.core.store import check_repo_id

    for f in fields(Settings):
        value = getattr(settings, f.name)
        label = f.metadata["label"]
        if f.metadata["kind"] == "codes" or f.name == "language" and value != "auto":
            bad = [code for code in (value if isinstance(value, list) else [value]) if not is_valid_name(code)]
            if bad:
                return f"{label}: '{bad[0]}' is not a language code; use codes like eng, fra or cmn-script_simplified."
        elif f.metadata["kind"] == "choice" and value not in f.metadata["choices"]:
            return f"{label} must be one of {', '.join(f.metadata['choices'])}."
        elif f.metadata["kind"] == "model":
            try:
                check_repo_id(value)
            except UserError:
                return f"{label}: '{value}' is not a model name; use owner/name, like {f.default}."
        elif f.metadata["kind"] == "folder" and value:
            folder = Path(value).expanduser()
            if not folder.is_absolute():
                return f"{label}: '{value}' is not a full path; choose the folder with Browse."
            if folder.exists() and not folder.is_dir():
                return f"{label}: {folder} is a file; choose a folder."
        elif f.metadata["kind"] == "shortcut":
            from mms_desktop.desktop.keys import parse_shortcut

            try:
                parse_shortcut(value)
            except ValueError as exc:
                return f"{label}: {exc}"
        elif f.metadata["kind"] in UNITS and not f.metadata["minimum"] <= value <= f.metadata["maximum"]:
            unit = UNITS[f.metadata["kind"]]
            return f"{label} must be between {f.metadata['minimum']:g} and {f.metadata['maximum']:g}{unit}."
    return None


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring settings written by an older version up to :data:`SCHEMA_VERSION`, one step per version.

    Version 2 added favourite languages: a user who had limited auto-detection to some languages gets
    those as favourites.
    """
    version = data.pop("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        log.warning("Settings were written by a newer version (%r); reading what is understood.", version)
        return data
    if version < 2 and "favourites" not in data and isinstance(data.get("auto_among"), list):  # checked in read
        data["favourites"] = list(data["auto_among"])
    return data


def load(path: Path) -> Settings:
    """Read settings, falling back to defaults for anything missing, unknown or unusable (see :func:`read`)."""
    return read(path)[0]


def read(path: Path) -> tuple[Settings, str]:
    """Read settings, falling back to defaults for anything missing, unknown or unusable, and say what fell
    back in one sentence ("" when nothing did, or the file is simply not there yet).

    A file that is not readable JSON is set aside (``settings-unreadable-<time>.json``) rather than written
    over by the next save, in case the user wants what was in it.
    """
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings(), ""
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("Ignoring unreadable settings file %s: %s", path, exc)
        aside = ""
        if not isinstance(exc, OSError):  # damaged content, not a file the system would not let us read
            with contextlib.suppress(OSError):
                aside = f"; it was set aside as {set_aside(path)}"
        return Settings(), f"The settings file could not be read{aside}. The default settings are in use."
    data = _migrate(data if isinstance(data, dict) else {})
    known = {f.name: f for f in fields(Settings)}
    defaults = Settings()
    values, dropped = {}, []
    for name, value in data.items():
        if name not in known:
            continue
        if isinstance(getattr(defaults, name), float) and type(value) is int:
            value = float(value)  # 20 written by hand for 20.0
        wrong = check(Settings(**{name: value})) if isinstance(value, type(getattr(defaults, name))) else "wrong type"
        if wrong:
            log.warning("Ignoring setting %s = %r: %s", name, value, wrong)
            dropped.append(known[name].metadata["label"])
        else:
            values[name] = value
    notice = f"Settings that could not be used are back to their defaults: {', '.join(dropped)}." if dropped else ""
    return Settings(**values), notice


def save(settings: Settings, path: Path) -> None:
    """Write settings atomically (temp file, fsync, rename)."""
    payload = {"schema_version": SCHEMA_VERSION, **asdict(settings)}
    atomic_write_text(path, json.dumps(payload, indent=2))
