"""Settings a person chooses (which models, how many threads), kept as JSON in the data folder.

Some settings reach outside the machine or run code: a server memories are sent to, the servers
trusted with them, and the model files and folders Fondly loads (GUARDED). A settings.json can
come from elsewhere — a backup someone sent, a folder copied from another computer, an edit by
hand — so those settings are only taken from a file this Fondly wrote itself: every guarded value
Fondly saves is stored with a keyed hash (HMAC-SHA256) under "confirmed", and the key lives
*outside* the data folder (`key_path`, one per user account), so it is neither in a backup nor in a
copied folder, and a changed value no longer matches its hash. A guarded value without a matching
hash is ignored (the default is used) with one warning, until the person sets it again, which
confirms it. Defaults, and model paths inside the data folder, need no confirming: they reach
nothing. Why a keyed hash rather than a "written_by" id: an id survives a hand edit, a hash of the
value does not, and only someone who can already read this account's files can forge one. A file an
older Fondly saved has no marks either, so its servers and models are confirmed once more.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Any

import platformdirs

from app.errors import FondlyError
from app.paths import FOLDER_MODE, data_dir, open_private, private
from llm.brief import DEFAULT_PACE, PACE_RANGE

# fmt: off
DEFAULTS: dict[str, Any] = {
    "model": None,  # a GGUF file; None means the bundled SmolLM2
    "whisper_model": None,  # a CTranslate2 Whisper folder; None means the bundled tiny.en
    "threads": 0,  # 0: as many as the machine has, up to four
    "context": 4096,  # tokens of context for the text model
    "pace": DEFAULT_PACE,  # words per minute for new projects
    "gpu_layers": 0,  # layers to offload, where llama.cpp was built with a GPU; -1: all
    "text_size": 14,  # points, for the editor and preview
    "server": None,  # an OpenAI-compatible chat server URL to write with instead of a local model
    "trusted_servers": [],  # servers off this machine the person agreed to send memories to
    "models": [],  # models the person added: {"name", "kind": "text" | "speech", "path"}
    "model_folders": [],  # more folders `fondly models find` searches for .gguf files (full paths)
    # how a speech is written: "auto" (the person's own words with a small model, model prose with a
    # capable one), "memory-first" or "prose"
    "writing": "auto",
    # measured, never chosen: how fast each model wrote last time, by its file's full path
    # ({"tokens_per_second", "tokens", "seconds", "measured_at"}); kept by record_speed
    "speeds": {},
}
# fmt: on
WRITING_MODES = ("auto", "memory-first", "prose")
# settings that send memories off the machine or load code (a model is code, for llama.cpp's
# parser): never taken from a settings file this Fondly did not write, nor from a backup, silently
GUARDED = ("server", "trusted_servers", "model", "whisper_model", "models", "model_folders")
MARKS = "confirmed"  # in settings.json: {guarded key: HMAC of its value}
# how a person sets each one again (which confirms it)
# fmt: off
HOW = {"server": "fondly config set server URL", "trusted_servers": "fondly config trust URL",
       "model": "fondly config set model FILE", "whisper_model": "fondly config set whisper_model FOLDER",
       "models": "fondly models add FILE", "model_folders": "fondly models folder add FOLDER"}
# fmt: on

# The text lane records a speed while the window may be saving the person's choices: one
# read-modify-write at a time, so neither loses the other's change.
_write_lock = threading.RLock()

# how a value typed at the command line becomes a setting, and what it may be
_INT_RANGES = {
    "threads": (0, 256),
    "context": (512, 1_048_576),
    "pace": PACE_RANGE,
    "gpu_layers": (-1, 1000),
    "text_size": (8, 48),
}


def _path() -> Path:
    return data_dir() / "settings.json"


# --- the key that marks settings this Fondly wrote ----------------------------------------------

_keys: dict[Path, bytes] = {}
_warned: set[tuple[str, ...]] = set()


def key_path() -> Path:
    """The install's settings key: in the user's config folder (`FONDLY_CONFIG` overrides it; the
    tests set it), never in the data folder, so neither a backup nor a copied folder carries it."""
    base = os.environ.get("FONDLY_CONFIG")
    folder = Path(base).expanduser() if base else Path(platformdirs.user_config_dir("Fondly", False))
    return folder / "settings.key"


def _read_key(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return key if len(key) >= 16 else None  # an emptied or cut file is no key


def _key(create: bool) -> bytes | None:
    """The key (made once, 0600, published whole by a hard link so two processes starting together
    agree on one); None if there is none and `create` is False. A damaged key file is replaced:
    what it marked is asked about again, which is safe."""
    path = key_path()
    if path in _keys:
        return _keys[path]
    key = _read_key(path)
    if key is None and create:
        try:
            path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            with open_private(tmp, "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)
            except FileExistsError:  # another process made it first (its key is the one), or it is damaged
                if _read_key(path) is None:
                    os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            key = _read_key(path)
            if key is None:
                raise OSError("the key file can't be read back")
        except OSError as e:
            why = getattr(e, "strerror", None) or e
            raise FondlyError(
                f"Fondly can't keep its settings key in {path.parent} ({why}); check that folder "
                "can be written to, or set FONDLY_CONFIG to one that can."
            ) from None
    if key:
        _keys[path] = key
    return key


def _mark(key: bytes, name: str, value: Any) -> str:
    return hmac.new(key, f"{name}\0{json.dumps(value, sort_keys=True)}".encode(), hashlib.sha256).hexdigest()


def _inside(path: Any, home: Path) -> bool:
    try:
        return isinstance(path, str) and Path(os.path.realpath(path)).is_relative_to(os.path.realpath(home))
    except (OSError, ValueError):
        return False


def harmless(name: str, value: Any, home: Path | None = None) -> bool:
    """Whether a guarded value reaches nothing: the default, or model paths inside the data folder."""
    if value == DEFAULTS[name]:
        return True
    home = home or data_dir()
    if name in ("model", "whisper_model"):
        return _inside(value, home)
    if name == "model_folders":
        return isinstance(value, list) and all(_inside(v, home) for v in value)
    if name == "models":
        return isinstance(value, list) and all(isinstance(m, dict) and _inside(m.get("path"), home) for m in value)
    return False


def unconfirmed(raw: dict[str, Any] | None = None, home: Path | None = None) -> dict[str, Any]:
    """The guarded settings in the file (or `raw`) that this Fondly did not write: they are ignored."""
    raw = read_file() if raw is None else raw
    marks = found if isinstance(found := raw.get(MARKS), dict) else {}
    key = _key(create=False)
    return {
        name: raw[name]
        for name in GUARDED
        if name in raw
        and not harmless(name, raw[name], home)
        and not (key and hmac.compare_digest(str(marks.get(name, "")), _mark(key, name, raw[name])))
    }


def shown(values: dict[str, Any]) -> str:
    """ "server = http://…; models = 2 entries (…)": guarded settings as a person reads them."""
    return "; ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items())


def ignored_message(values: dict[str, Any]) -> str:
    it, them = ("it is", "it") if len(values) == 1 else ("they are", "them")
    return (
        f"settings.json sets {', '.join(values)}, which this Fondly did not write (a file copied in, edited "
        f"by hand or saved by an older Fondly), so {it} ignored: {shown(values)}. To use {them}, set {them} again: "
        + "; ".join(f"`{HOW[k]}`" for k in values)
        + "."
    )


def _warn(values: dict[str, Any]) -> None:
    """One warning per process (stderr; the window shows `unconfirmed()` itself)."""
    names = tuple(values)
    if names not in _warned:
        _warned.add(names)
        print(f"fondly: warning: {ignored_message(values)}", file=sys.stderr)


# --- reading and writing ------------------------------------------------------------------------


def read_file(path: Path | None = None) -> dict[str, Any]:
    """The file as it is (marks included), {} if there is none."""
    path = path or _path()
    if not path.exists():
        return {}
    private(path)  # one copied in with a looser mode is tightened, as the folder and database are
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("it does not hold settings")  # noqa: TRY004 — bad content, not a bad argument: caught below
    except (OSError, ValueError) as e:
        raise FondlyError(
            f"Fondly's settings file {path} can't be read ({e}). Fix it or delete it to go back to the defaults."
        ) from None
    return raw


def load() -> dict[str, Any]:
    """The settings in effect: the file over the defaults, but guarded ones it did not confirm
    left at their defaults (with one warning)."""
    raw = read_file()
    values = dict(DEFAULTS)
    values.update({k: v for k, v in raw.items() if k != MARKS})
    pending = unconfirmed(raw)
    for name in pending:
        values[name] = DEFAULTS[name]
    if pending:
        _warn(pending)
    return values


def write(path: Path, raw: dict[str, Any], confirm: tuple[str, ...] | list[str] = ()) -> None:
    """Write a whole settings file (0600, under a temporary name, then renamed): `confirm` names
    guarded settings whose values it marks as this Fondly's own; the marks already there stay."""
    marks = dict(found) if isinstance(found := raw.get(MARKS), dict) else {}
    raw = {k: v for k, v in raw.items() if k != MARKS}
    if confirm:
        key = _key(create=True)
        assert key is not None  # with create=True, _key makes one or raises
        for name in confirm:
            marks[name] = _mark(key, name, raw.get(name, DEFAULTS[name]))
    marks = {k: marks[k] for k in GUARDED if k in marks and k in raw}
    if marks:  # last, and only when there are any: the same settings always make the same file
        raw[MARKS] = marks
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two processes never share one
    try:
        with open_private(tmp, "w") as f:
            f.write(json.dumps(raw, indent=2))
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)  # a full disk cut it short: nothing half-written is left
        if e.errno == errno.ENOSPC:
            from app.database import disk_full

            raise disk_full(path.parent, "the setting was not saved") from None
        raise FondlyError(f"Fondly can't save its settings to {path} ({e.strerror}).") from None


def get(key: str) -> Any:
    if key not in DEFAULTS:
        raise FondlyError(f"There is no setting called {key!r}. Settings: {', '.join(DEFAULTS)}.")
    return load()[key]


def set_value(key: str, value: Any) -> None:
    """Write one setting; the file is replaced whole, never left half-written. A guarded setting
    set here is the person's own choice, so it is confirmed; others left unconfirmed stay so."""
    if key not in DEFAULTS:
        raise FondlyError(f"There is no setting called {key!r}. Settings: {', '.join(DEFAULTS)}.")
    with _write_lock:
        raw = read_file()
        raw[key] = value
        write(_path(), raw, confirm=(key,) if key in GUARDED else ())


def confirm(names: list[str] | tuple[str, ...]) -> None:
    """The person agreed to these guarded settings as the file holds them (the window's question)."""
    with _write_lock:
        write(_path(), read_file(), confirm=[n for n in names if n in GUARDED])


def _sound(key: str, value: Any) -> bool:
    """Whether a value from elsewhere (a backup) is one this Fondly could have saved."""
    if key in _INT_RANGES:
        low, high = _INT_RANGES[key]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if key == "writing":
        return value in WRITING_MODES
    if key == "speeds":
        return isinstance(value, dict)
    return key in DEFAULTS


def from_backup(
    theirs: Any, ours: dict[str, Any], home: Path, take: bool = False
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """The settings file a restore writes: a backup's settings (`theirs`, as its settings.json held
    them) over this machine's (`ours`, the file in the data folder now, {} for none).

    A backup is a file people receive from others, so the guarded settings (a server memories go
    to, models that run) are this machine's — its confirmed values, else the defaults — unless
    `take` (`fondly restore --with-settings`, after they were shown). Other settings come from the
    backup when they are values Fondly could have saved. Returns the file's content, the guarded
    keys to confirm, and the backup's guarded values that were left out (or, with `take`, taken)."""
    theirs = {k: v for k, v in theirs.items() if k != MARKS} if isinstance(theirs, dict) else {}
    pending = unconfirmed(ours, home)
    out = {k: v for k, v in theirs.items() if k not in GUARDED and _sound(k, v)}
    confirm, different = [], {}
    for k in GUARDED:
        mine = ours.get(k, DEFAULTS[k]) if k not in pending else DEFAULTS[k]
        other = theirs.get(k, DEFAULTS[k])
        if other != mine and not harmless(k, other, home):
            different[k] = other
        value = other if take else mine
        if k in theirs or k in ours or value != DEFAULTS[k]:
            out[k] = value
            confirm += [k] if value != DEFAULTS[k] else []
    return out, confirm, different


def parse(key: str, text: str | None) -> Any:
    """A setting from text, checked; "" or "default" puts the default back."""
    if key not in DEFAULTS:
        raise FondlyError(f"There is no setting called {key!r}. Settings: {', '.join(DEFAULTS)}.")
    if text is None or text.strip().lower() in ("", "default", "none"):
        return DEFAULTS[key]
    text = text.strip()
    if key in _INT_RANGES:
        low, high = _INT_RANGES[key]
        try:
            value = int(text)
        except ValueError:
            raise FondlyError(f"{key} must be a whole number from {low} to {high}, not {text!r}.") from None
        if not low <= value <= high:
            raise FondlyError(f"{key} must be from {low} to {high}; {value} is outside that.")
        return value
    if key == "writing":
        if text.lower() not in WRITING_MODES:
            raise FondlyError(f"writing must be one of {', '.join(WRITING_MODES)}, not {text!r}.")
        return text.lower()
    if key == "model":
        from app.native_check import check_model

        return str(check_model(text).path)
    if key == "whisper_model":
        from speech.models import check_model as check_whisper_model

        return str(check_whisper_model(text))
    if key == "server":
        from llm.remote import check_url

        return check_url(text)
    if key == "speeds":
        raise FondlyError("speeds are measured when a model writes; they can't be set.")
    raise FondlyError(f"{key} is changed through its own command, not set directly.")


def record_speed(path: str | Path, tokens: int, seconds: float) -> None:
    """Keep how fast the model at `path` just wrote (tokens after the first, over their seconds).

    A speed is a measurement, not a choice: if it can't be saved (a full disk) the writing it
    came from must not fail for it, so it is dropped."""
    if tokens < 2 or seconds <= 0:
        return
    key = str(Path(path).resolve())
    try:
        with _write_lock:
            speeds = dict(get("speeds") or {})
            speeds[key] = {
                "tokens_per_second": round((tokens - 1) / seconds, 1),
                "tokens": tokens,
                "seconds": round(seconds, 3),
                "measured_at": time.strftime("%Y-%m-%d %H:%M"),
            }
            set_value("speeds", speeds)
    except FondlyError:
        pass


def last_speed(path: str | Path | None) -> dict[str, Any] | None:
    """How fast the model at `path` wrote last time, or None: not measured yet (or a server)."""
    if not path:
        return None
    return (get("speeds") or {}).get(str(Path(path).resolve()))


def threads() -> int:
    """Threads for the models: the setting, or the machine's cores up to four."""
    n = int(get("threads") or 0)
    return n if n > 0 else max(1, min(4, os.cpu_count() or 1))
