"""The one place settings become engines: the text engine (the local llama.cpp model, or a
server the person chose) and the transcriber.

A server off this machine means memories leave it, so Fondly refuses one until the
person has agreed to it once (`fondly config trust URL`, or the question in the app).
"""

from __future__ import annotations

from app import settings
from app.cpu_share import CpuShare, SharingTextEngine, SharingTranscriber, load_meter
from app.errors import FondlyError
from llm.remote import RemoteEngine, check_url, is_local


def trusted(url: str) -> bool:
    return is_local(url) or check_url(url) in settings.get("trusted_servers")


def trust(url: str) -> None:
    url = check_url(url)
    servers = list(settings.get("trusted_servers"))
    if url not in servers:
        settings.set_value("trusted_servers", servers + [url])


def open_text_engine(model: str | None = None, server: str | None = None, record: bool = True):
    """An Engine for `model` (or the setting, or the bundled one), or a RemoteEngine for a server.

    Every reply the local model writes is timed and kept per model file (settings.record_speed),
    so the status bar and `fondly doctor` say how fast it was last time; `record=False` for
    probes that are not writing (the doctor's own "Say hello").

    Before a local model's first use on this install, a child process proves llama.cpp runs it on
    this processor (app.native_check); a crash there becomes a message, never a vanished window."""
    server = server or (None if model else settings.get("server"))
    if server:
        url = check_url(server)
        if not trusted(url):
            raise FondlyError(
                f"Writing with {url} would send your memories to that computer. If that is what you want, "
                f"run `fondly config trust {url}` once (or agree in the app), then try again."
            )
        return RemoteEngine(url, context=int(settings.get("context")))
    from app.native_check import check_model
    from llm.engine import Engine
    from llm.models import resolve_model

    chosen = model or settings.get("model")
    path = resolve_model(chosen)
    if path.is_file():  # a missing file gets Engine's own message (gguf.read)
        check_model(path, bundled=not chosen)  # header, then a real load in a child: never an abort here
    return Engine(
        chosen,
        context=int(settings.get("context")),
        threads=settings.threads(),
        gpu_layers=int(settings.get("gpu_layers")),
        on_speed=_record_speed if record else None,
    )


def _record_speed(path, speed) -> None:
    settings.record_speed(path, speed.tokens, speed.seconds)


def open_transcriber(folder: str | None = None):
    """A Transcriber for `folder` (or the setting, or the bundled tiny.en), with the thread setting."""
    from speech.transcriber import Transcriber

    return Transcriber(folder or settings.get("whisper_model"), threads=settings.threads())


def configure_share(share: CpuShare) -> CpuShare:
    """The share as the `threads` setting says: automatic (0), or the person's number for both."""
    n = int(settings.get("threads") or 0)
    share.configure(text_threads=n, speech_threads=n)
    return share


class Engines:
    """The text engine and the transcriber a running app holds: each opened on first use (on
    the worker that needs it), kept, and replaced only when the person switches model.

    `open_text` / `open_speech` are what the settings say by default; tests hand in a
    scripted engine instead, so plumbing tests never wait on a real model.

    Both are handed out wrapped in the CPU share (app.cpu_share), so a draft and an import
    or a recording never ask for more threads than the machine has.
    """

    def __init__(self, open_text=open_text_engine, open_speech=open_transcriber, share: CpuShare | None = None) -> None:
        import threading

        self.share = share or configure_share(CpuShare(meter=load_meter()))
        wrap: dict[str, type[SharingTextEngine | SharingTranscriber]] = {
            "text": SharingTextEngine,
            "speech": SharingTranscriber,
        }
        self._open = {
            kind: (lambda opener=opener, kind=kind: wrap[kind](opener(), self.share))
            for kind, opener in (("text", open_text), ("speech", open_speech))
        }
        self._engines: dict[str, SharingTextEngine | SharingTranscriber] = {}
        self._locks = {kind: threading.Lock() for kind in self._open}

    def loaded(self, kind: str):
        """The engine in use, or None if none has loaded yet."""
        return self._engines.get(kind)

    def get(self, kind: str) -> tuple[SharingTextEngine | SharingTranscriber, bool]:
        """The engine, and whether it was opened just now (a failure to open raises)."""
        with self._locks[kind]:
            if kind in self._engines:
                return self._engines[kind], False
            self._engines[kind] = self._open[kind]()
            return self._engines[kind], True

    def reload(self, kind: str):
        """Open the engine the settings now name; keep the old one if that fails (it raises)."""
        configure_share(self.share)
        engine = self._open[kind]()
        with self._locks[kind]:
            self._engines[kind] = engine
        return engine
