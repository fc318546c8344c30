"""The one place settings become engines: the text engine (the local llama.cpp model, or a
server the person chose) and the transcriber.

A server off this machine means memories leave it, so Fondly refuses one until the
person has agreed to it once (`fondly config trust URL`, or the question in the app).
"""

from __future__ import annotations

from app import settings
from app.errors import FondlyError
from llm.remote import RemoteEngine, check_url, is_local


def trusted(url: str) -> bool:
    return is_local(url) or check_url(url) in settings.get("trusted_servers")


def trust(url: str) -> None:
    url = check_url(url)
    servers = list(settings.get("trusted_servers"))
    if url not in servers:
        settings.set_value("trusted_servers", servers + [url])


def open_text_engine(model: str | None = None, server: str | None = None):
    """An Engine for `model` (or the setting, or the bundled one), or a RemoteEngine for a server."""
    server = server or (None if model else settings.get("server"))
    if server:
        url = check_url(server)
        if not trusted(url):
            raise FondlyError(
                f"Writing with {url} would send your memories to that computer. If that is what you want, "
                f"run `fondly config trust {url}` once (or agree in the app), then try again."
            )
        return RemoteEngine(url, context=int(settings.get("context")))
    from llm.engine import Engine

    return Engine(model or settings.get("model"), context=int(settings.get("context")),
                  threads=settings.threads(), gpu_layers=int(settings.get("gpu_layers")))


def open_transcriber(folder: str | None = None):
    """A Transcriber for `folder` (or the setting, or the bundled tiny.en), with the thread setting."""
    from speech.transcriber import Transcriber

    return Transcriber(folder or settings.get("whisper_model"), threads=settings.threads())
