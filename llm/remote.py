"""A model server as the text backend: any OpenAI-compatible chat endpoint (llama.cpp's
server, Ollama, vLLM), streamed, with the same interface as the local Engine.

Only used when a person sets a server. Streaming is read line by line from the HTTP
response; stopping closes the connection, which ends the request on the server.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from llm.engine import Message
from llm.errors import ModelError


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ModelError(f"{url!r} is not a server address; it should look like http://127.0.0.1:8080/v1.")
    return url.strip().rstrip("/")


def is_local(url: str) -> bool:
    """Whether a server is on this machine; anything else means memories leave it."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RemoteEngine:
    """Chat completions from a server; `chat()` streams like Engine.chat."""

    def __init__(self, url: str, model: str = "", context: int = 4096, timeout: float = 60):
        self.url = check_url(url)
        parts = urlsplit(self.url)
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname or "", parts.port  # check_url refused a URL without a host
        self._base = parts.path if parts.path.endswith("/v1") else parts.path + "/v1"
        self.model = model
        self.context = context
        self.timeout = timeout
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"{self.model or 'server'} at {self.url}"

    def count_tokens(self, text: str) -> int:
        """An estimate (servers differ in how they count): generous, so prompts still fit."""
        return len(text) // 3 + 1

    def _connection(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self.timeout)

    def chat(
        self,
        messages: list[Message],
        max_tokens: int = 512,
        temperature: float = 0.7,
        seed: int | None = None,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        body = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
        }
        if self.model:
            body["model"] = self.model
        if seed is not None:
            body["seed"] = seed
        if stop:
            body["stop"] = stop
        with self._lock:
            conn = self._connection()
            try:
                conn.request(
                    "POST",
                    f"{self._base}/chat/completions",
                    body=json.dumps(body),
                    headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
                )
                response = conn.getresponse()
                if response.status != 200:
                    raise ModelError(
                        f"The model server at {self.url} answered {response.status} "
                        f"{response.reason}. Check its address and that a model is loaded."
                    )
                finished = False
                for raw in response:
                    if cancel is not None and cancel.is_set():
                        finished = True
                        break  # closing the connection below ends the request on the server
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        finished = True
                        break
                    try:
                        delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                    except (ValueError, KeyError, IndexError):
                        continue
                    if delta:
                        yield delta
                if not finished:
                    raise ConnectionError("the stream ended before the reply was complete")
            except (TimeoutError, ConnectionError, http.client.HTTPException, OSError) as e:
                raise ModelError(
                    f"The model server at {self.url} stopped answering ({e}). What was "
                    "written so far is kept; check the server and try again."
                ) from None
            finally:
                conn.close()
