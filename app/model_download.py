"""Fetching a catalog model when the person asks (`fondly models get NAME`, Settings' Download).

This is the only network access Fondly makes by itself, and only on that explicit request: one
HEAD and one GET (with a Range to continue) for the model file, to the Hugging Face hub or the
mirror HF_ENDPOINT names, through the proxy the environment names. No token, no project, no
memory, nothing of the person's is sent — the request names the file and says "fondly/<version>".

Order, so that a failure never leaves a half-made model in use:
1. free disk space, before any byte moves (the catalog knows the size);
2. the hub's own sha256 (its LFS ETag) must agree with the catalog's, and at least one must exist;
3. the file goes to `models/.partial/` — kept if the transfer is cut, so the next try continues
   with a Range request (huggingface_hub's `http_get`, which retries and resumes; its
   `hf_hub_download` no longer continues a download across processes);
4. its sha256 is checked, then it moves into `models/`, then `model_manager.add` checks llama.cpp
   can open it, and only then is it registered (and, by default, used).
A wrong checksum or a file llama.cpp refuses is deleted. Cancel deletes the partial file too.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import model_manager
from app.errors import FondlyError
from app.model_catalog import Entry, load
from app.paths import models_dir, open_private
from app.version import VERSION

MARGIN = 200_000_000  # bytes left free after the download: a full disk breaks the database's writes
HASH_BLOCK = 4 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
OFFLINE = "Downloads are switched off here (HF_HUB_OFFLINE is set); unset it to let Fondly fetch a model."


class DownloadStopped(FondlyError):
    """The person cancelled: nothing was added, and the partial file is gone."""


@dataclass(frozen=True)
class Progress:
    stage: str  # "downloading" | "checking" | "opening"
    done: int
    total: int | None


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


def _one_line(e: BaseException, limit: int = 160) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= limit else text[:limit] + "…"


def offline() -> bool:
    """HF_HUB_OFFLINE as the environment says now, or as huggingface_hub read it at import."""
    from huggingface_hub import constants

    return (
        os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in ("1", "ON", "YES", "TRUE")
        or constants.is_offline_mode()
    )


def endpoint() -> str:
    """HF_ENDPOINT, read now: huggingface_hub reads it once, when it is first imported."""
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def _no_telemetry() -> None:
    """huggingface_hub adds to every request's user agent (torch's version, "agent/…" from the
    environment) and, to do so, fetches {endpoint}/api/agent-harnesses once a day: a request Fondly
    did not ask for, carrying facts about the person's computer. HF_HUB_DISABLE_TELEMETRY turns both
    off; the library read it at import, so the setting is made on its constants, before each call."""
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_TELEMETRY = True


def partial_dir() -> Path:
    path = models_dir() / ".partial"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def check_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed + MARGIN:
        raise FondlyError(
            f"Not enough free disk space in {folder}: the model needs {_gb(needed)} more and "
            f"{_gb(MARGIN)} should stay free, but only {_gb(free)} is free. "
            "Free some space and try again."
        )


def sha256_of(
    path: Path, report: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None
) -> str:
    h, done, total = hashlib.sha256(), 0, path.stat().st_size
    with open(path, "rb") as f:
        while block := f.read(HASH_BLOCK):
            if cancel is not None and cancel.is_set():
                raise DownloadStopped("Download stopped; nothing was added.")
            h.update(block)
            done += len(block)
            if report:
                report(Progress("checking", done, total))
    return h.hexdigest()


def _bar_class(report: Callable[[Progress], None] | None, cancel: threading.Event | None, show: bool):
    """A tqdm that shows the bar only on a terminal (the CLI; tqdm's disable=None), reports every
    chunk to `report`, and stops the transfer between chunks (10 MB) when `cancel` is set:
    huggingface_hub has no cancel call."""
    from tqdm import tqdm

    class Bar(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = None if show else True
            super().__init__(*args, **kwargs)
            self.done = int(kwargs.get("initial") or 0)

        def update(self, n: float | None = 1) -> bool | None:
            if cancel is not None and cancel.is_set():
                raise DownloadStopped("Download stopped; nothing was added.")
            self.done += int(n or 0)
            if report:
                report(Progress("downloading", self.done, self.total))
            return super().update(n)

    return Bar


def _network_error(e: BaseException, where: str) -> FondlyError:
    """One line a person can act on, for whatever the hub, the proxy or the network did."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    if isinstance(e, OfflineModeIsEnabled):
        return FondlyError(OFFLINE)
    if isinstance(e, httpx2.ProxyError):
        return FondlyError(
            f"The proxy refused the connection to {where} ({_one_line(e)}). Check HTTPS_PROXY and try again."
        )
    if isinstance(e, (httpx2.ConnectError, httpx2.TimeoutException)):
        return FondlyError(
            f"Fondly can't reach the model hub at {where} ({_one_line(e)}). Check the internet "
            "connection (or HF_ENDPOINT and the proxy settings) and try again; nothing was added."
        )
    if isinstance(e, HfHubHTTPError) and e.response is not None:
        code = e.response.status_code
        if code in (401, 403):
            return FondlyError(
                f"The hub at {where} refused the file (HTTP {code}: it may need an account or an "
                "accepted licence). Nothing was added."
            )
        if code == 404:
            return FondlyError(f"The hub at {where} has no such file (HTTP 404). Nothing was added.")
        return FondlyError(f"The hub at {where} answered HTTP {code}; try again later. Nothing was added.")
    return FondlyError(
        f"The download from {where} failed ({_one_line(e)}). Run the same command again to continue where it stopped."
    )


def _expected_sha(entry: Entry, hub_etag: str | None) -> str:
    hub = hub_etag.lower() if hub_etag and _SHA256.fullmatch(hub_etag.lower()) else None
    if entry.sha256 and hub and entry.sha256.lower() != hub:
        raise FondlyError(
            f"The hub's {entry.file} is not the file Fondly's catalog names (its sha256 is {hub[:12]}…, "
            f"the catalog's {entry.sha256[:12]}…), so it was not downloaded; nothing was added."
        )
    expected = (entry.sha256 or "").lower() or hub
    if not expected:
        raise FondlyError(
            f"Neither Fondly's catalog nor the hub gives a checksum for {entry.file}, and Fondly won't "
            "use a model file it can't check; nothing was added."
        )
    return expected


def get(
    name: str,
    *,
    use: bool = True,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    show_bar: bool = False,
) -> dict[str, Any]:
    """Download a catalog model, check it, register it and (by default) write with it from now on.
    Returns the model manager's row for it."""
    entry = load().find(name)
    if offline():
        raise FondlyError(OFFLINE)
    folder = models_dir()
    final = folder / entry.file
    if final.is_file() and entry.sha256 and sha256_of(final, on_progress, cancel) == entry.sha256.lower():
        return _register(entry, final, use)  # already here and whole: nothing to fetch
    if entry.size_bytes:
        check_space(folder, entry.size_bytes - _partial_size(entry))

    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    _no_telemetry()
    where = endpoint()
    headers = build_hf_headers(token=False, library_name="fondly", library_version=VERSION)
    url = hf_hub_url(entry.repo, entry.file, revision=entry.revision, endpoint=where)
    try:
        meta = get_hf_file_metadata(url, token=False, library_name="fondly", library_version=VERSION, endpoint=where)
    except Exception as e:  # noqa: BLE001 — every way the request fails becomes one line
        raise _network_error(e, where) from None
    expected = _expected_sha(entry, meta.etag)
    size = meta.size or entry.size_bytes
    if entry.size_bytes and meta.size and entry.size_bytes != meta.size:
        raise FondlyError(
            f"The hub's {entry.file} is {meta.size:,} bytes, not the {entry.size_bytes:,} Fondly's "
            "catalog names, so it was not downloaded; nothing was added."
        )

    partial = partial_dir() / f"{entry.file}.{expected[:16]}.incomplete"
    for stale in partial.parent.glob(f"{entry.file}.*.incomplete"):
        if stale != partial:
            stale.unlink(missing_ok=True)  # a part of another version of the file
    if size:
        check_space(folder, size - (partial.stat().st_size if partial.exists() else 0))
    try:
        with open_private(partial, "ab") as f:
            done = f.tell()
            if size and done > size:
                f.truncate(0)
                done = 0
            http_get(
                meta.location,
                f,
                resume_size=done,
                headers=headers,
                expected_size=size,
                displayed_filename=entry.file,
                tqdm_class=_bar_class(on_progress, cancel, show_bar),
            )
        got = sha256_of(partial, on_progress, cancel)
    except DownloadStopped:
        partial.unlink(missing_ok=True)
        raise
    except OSError as e:
        if getattr(e, "errno", None) == 28:  # ENOSPC
            partial.unlink(missing_ok=True)
            raise FondlyError(
                f"The disk filled up while downloading {entry.file}; free some space and try again. Nothing was added."
            ) from None
        raise _network_error(e, where) from None
    except Exception as e:  # noqa: BLE001
        raise _network_error(e, where) from None
    if got != expected:
        partial.unlink(missing_ok=True)
        raise FondlyError(
            f"The downloaded {entry.file} is damaged (sha256 {got[:12]}…, expected {expected[:12]}…); "
            "it was deleted and nothing was added. Try again."
        )
    os.replace(partial, final)
    _tidy()
    if on_progress:
        on_progress(Progress("opening", 0, None))
    return _register(entry, final, use)


def _partial_size(entry: Entry) -> int:
    folder = models_dir() / ".partial"
    return max((p.stat().st_size for p in folder.glob(f"{entry.file}.*.incomplete")), default=0)


def _tidy() -> None:
    try:
        (models_dir() / ".partial").rmdir()  # only if empty
    except OSError:
        pass


def _register(entry: Entry, final: Path, use: bool) -> dict[str, Any]:
    """llama.cpp must open it (in a child process, model_manager.add) before it is registered;
    a file it refuses is deleted, so nothing half-usable stays in the models folder."""
    try:
        row = model_manager.add(final, entry.name)
    except Exception:
        final.unlink(missing_ok=True)
        raise
    return model_manager.use(row["name"]) if use else row
