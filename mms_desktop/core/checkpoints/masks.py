"""Per-language token masks of a multilingual CTC model with one shared vocabulary.

wav2vec2-xlsr-multilingual-56 ships them as ``lang_ids.pk``, a pickle of ``{language: token ids}``.
Unpickling runs whatever the file asks for, so it is never unpickled: :func:`read_pickled_masks` walks its
opcodes (``pickletools.genops`` only parses) and builds the value itself, accepting dicts, lists, tuples,
sets, strings and integers, and refusing anything else (a class, a function call) with one sentence. The
masks are then kept beside the model as ``language_masks.json``, keyed by the language codes the rest of
the program uses.
"""

from __future__ import annotations

import json
import pickletools
from pathlib import Path
from typing import Any

from mms_desktop.core.base import ModelError, atomic_write_text, name_for_tag, parse_json

PICKLED = "lang_ids.pk"
MASKS = "language_masks.json"

_MARK = object()
_SETS = {("builtins", "set"), ("__builtin__", "set"), ("builtins", "frozenset"), ("__builtin__", "frozenset")}
_INTS = {"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4"}
_STRINGS = {"UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "STRING", "BINSTRING", "SHORT_BINSTRING"}
_EMPTY = {"EMPTY_DICT": dict, "EMPTY_LIST": list, "EMPTY_TUPLE": tuple, "EMPTY_SET": set}
_TUPLES = {"TUPLE1": 1, "TUPLE2": 2, "TUPLE3": 3}
_IGNORED = {"PROTO", "FRAME", "STOP"}
MAX_BYTES = 16_000_000  # token masks of thousands of languages take well under a megabyte
MAX_VALUES = 4_000_000  # values built, references counted each time: shared references cannot blow it up


def has_masks(model_dir: Path) -> bool:
    return (model_dir / MASKS).is_file() or (model_dir / PICKLED).is_file()


def read_masks(model_dir: Path) -> dict[str, list[int]]:
    """``{language: sorted token ids}`` of ``model_dir``: from ``language_masks.json``, or converted once from
    ``lang_ids.pk`` (and kept as JSON beside it when the folder is writable).

    Raises:
        ModelError: the masks cannot be read, or the pickle holds anything but plain data.
    """
    kept = model_dir / MASKS
    if kept.is_file():
        try:
            masks = parse_json(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"The language masks of {model_dir} cannot be read; reinstall the model.") from exc
        if not isinstance(masks, dict) or not all(_ids(v) for v in masks.values()):
            raise ModelError(f"{kept} is not a table of language masks; reinstall the model.")
        return {str(k): sorted(v) for k, v in masks.items()}
    masks = masks_by_code(read_pickled_masks(model_dir / PICKLED))
    try:
        atomic_write_text(kept, _json(masks))
    except OSError:
        pass  # a read-only model folder: converted again at the next load, which takes milliseconds
    return masks


def masks_by_code(raw: Any) -> dict[str, list[int]]:
    """The masks of a ``lang_ids.pk`` value (``{"en": ids, "zh-CN": ids, ...}``) keyed by language code.

    Raises:
        ModelError: the value is not a table of token ids.
    """
    if not isinstance(raw, dict) or not all(isinstance(k, str) and _ids(v) for k, v in raw.items()):
        raise ModelError("The language masks are not a table of token ids by language; reinstall the model.")
    return {name_for_tag(k): sorted(set(v)) for k, v in raw.items()}


def read_pickled_masks(path: Path) -> Any:
    """The plain data in the pickle ``path`` (dicts, lists, tuples, sets, strings, integers), never
    unpickled.

    Raises:
        ModelError: the file cannot be read, or holds anything but such data.
    """
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ModelError(f"{path.name} is too large to be token masks; reinstall the model.")
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"The language masks {path} cannot be read; reinstall the model.") from exc
    try:
        return _plain_data(data)
    except (ValueError, IndexError, KeyError, TypeError, RecursionError) as exc:
        raise ModelError(
            f"{path.name} holds more than plain data ({exc}); it is not read, as reading it could run code. "
            "Reinstall the model from a source you trust."
        ) from exc


def _plain_data(data: bytes) -> Any:
    stack: list[Any] = []
    memo: dict[int, Any] = {}
    for op, arg, _ in pickletools.genops(data):
        name = op.name
        if name in _INTS or name in _STRINGS:
            stack.append(arg.decode("latin-1") if isinstance(arg, bytes) else arg)
        elif name in _EMPTY:
            stack.append(_EMPTY[name]())
        elif name == "MARK":
            stack.append(_MARK)
        elif name in ("DICT", "LIST", "TUPLE", "SETITEMS", "APPENDS", "ADDITEMS", "FROZENSET"):
            items = _pop_to_mark(stack)
            _collect(name, items, stack)
        elif name in ("SETITEM", "APPEND"):
            _collect(name, [stack.pop()] if name == "APPEND" else [stack.pop(-2), stack.pop()], stack)
        elif name in _TUPLES:
            count = _TUPLES[name]
            stack[-count:] = [tuple(stack[-count:])]
        elif name == "GLOBAL" and tuple(str(arg).split(" ", 1)) in _SETS:
            stack.append(set)
        elif name == "REDUCE" and stack[-2] is set and isinstance(stack[-1], tuple):
            arguments = stack.pop()
            stack[-1] = set(*arguments)
        elif name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
            memo[len(memo) if name == "MEMOIZE" else int(str(arg))] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo[int(str(arg))])
        elif name in ("NONE", "NEWTRUE", "NEWFALSE"):
            stack.append({"NONE": None, "NEWTRUE": True, "NEWFALSE": False}[name])
        elif name not in _IGNORED:
            raise ValueError(f"the pickle opcode {name}{f' {arg}' if arg is not None else ''}")
    if len(stack) != 1:
        raise ValueError("an incomplete pickle")
    return _as_plain(stack[0], [MAX_VALUES])


def _pop_to_mark(stack: list[Any]) -> list[Any]:
    at = len(stack) - 1 - stack[::-1].index(_MARK)
    items = stack[at + 1 :]
    del stack[at:]
    return items


def _collect(name: str, items: list[Any], stack: list[Any]) -> None:
    if name == "DICT":
        stack.append(dict(zip(items[::2], items[1::2], strict=True)))
    elif name == "LIST":
        stack.append(list(items))
    elif name == "TUPLE":
        stack.append(tuple(items))
    elif name == "FROZENSET":
        stack.append(frozenset(items))
    elif name in ("SETITEMS", "SETITEM"):
        target = stack[-1]
        if not isinstance(target, dict):
            raise TypeError("items set on something that is not a dict")
        target.update(zip(items[::2], items[1::2], strict=True))
    elif name in ("APPENDS", "APPEND"):
        if not isinstance(stack[-1], list):
            raise TypeError("items appended to something that is not a list")
        stack[-1].extend(items)
    else:  # ADDITEMS
        if not isinstance(stack[-1], set):
            raise TypeError("items added to something that is not a set")
        stack[-1].update(items)


def _as_plain(value: Any, budget: list[int]) -> Any:
    """Sets and tuples as lists, checked to hold only plain data all the way down (at most ``budget[0]``
    values in all)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("more values than token masks hold")
    if isinstance(value, dict):
        return {_as_plain(k, budget): _as_plain(v, budget) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_as_plain(v, budget) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"a value of type {type(value).__name__}")


def _ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value)


def _json(masks: dict[str, list[int]]) -> str:
    return json.dumps(masks, sort_keys=True) + "\n"
