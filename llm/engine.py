"""The local text model: llama.cpp through llama-cpp-python, streamed token by token.

One Engine owns one `Llama`. llama.cpp must never run one model from two threads,
so every call takes the engine's lock; a GUI keeps the engine on one worker thread.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from llm import gguf
from llm.errors import ModelError
from llm.models import resolve_model

if TYPE_CHECKING:
    from llama_cpp.llama_types import (
        ChatCompletionRequestMessage,
        ChatCompletionStreamResponseDelta,
        CreateChatCompletionStreamResponse,
    )

DEFAULT_CONTEXT = 4096


@dataclass
class Message:
    role: str  # system, user or assistant
    content: str


@runtime_checkable
class TextEngine(Protocol):
    """What the writers need of a text model. The local Engine and the RemoteEngine (a server)
    are both one; tests use a scripted one for everything that is plumbing, not model behaviour."""

    context: int  # tokens a prompt and its reply may take

    @property
    def name(self) -> str: ...

    def count_tokens(self, text: str) -> int: ...

    def chat(
        self,
        messages: list[Message],
        max_tokens: int = 512,
        temperature: float = 0.7,
        seed: int | None = None,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]: ...


@dataclass
class Speed:
    """How fast one reply was written: tokens after the first, over the model's time for them.

    The first token waits for the whole prompt to be read, which depends on the prompt, not
    the model; and the time the reader spends between tokens (checking, showing) is the
    reader's. What is left is the model's own writing speed on this machine, as it ran."""

    tokens: int  # the reply's tokens
    seconds: float  # the model's time for the tokens after the first

    @property
    def tokens_per_second(self) -> float:
        return (self.tokens - 1) / self.seconds if self.tokens > 1 and self.seconds > 0 else 0.0


def new_seed() -> int:
    """A seed to store with a revision: without one, every run repeats the same output."""
    return random.randint(1, 2**31 - 1)


class Engine:
    """A loaded GGUF model. `chat()` streams text; setting `cancel` stops after the current token."""

    def __init__(
        self,
        model: str | Path | None = None,
        context: int = DEFAULT_CONTEXT,
        threads: int = 0,
        gpu_layers: int = 0,
        on_speed: Callable[[Path, Speed], None] | None = None,
    ):
        """`on_speed(path, speed)` hears how fast every reply of two tokens or more was written
        (the app keeps the last one per model); `last_speed` holds it too."""
        from llama_cpp import Llama  # heavy import, only when a model is wanted

        path = resolve_model(model)
        self.info = gguf.read(path)  # refuses what llama.cpp could crash on
        n_ctx = min(context, self.info.context_length) if self.info.context_length else context
        self._lock = threading.Lock()
        self._abort: object | None = None  # the ctypes callback must stay referenced while llama.cpp holds it
        self.on_speed = on_speed
        self.last_speed: Speed | None = None
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=threads or None,
                n_batch=min(512, n_ctx),
                n_gpu_layers=gpu_layers,
                verbose=False,
            )
        except Exception as e:  # noqa: BLE001 — llama.cpp refuses a file in many ways; each means: choose another
            raise ModelError(
                f"{path.name} could not be loaded by llama.cpp ({e}). Choose another .gguf model."
            ) from None
        self.context = self._llama.n_ctx()

    @property
    def name(self) -> str:
        return self.info.path.name

    def set_threads(self, n: int) -> None:
        """Threads for the tokens from now on (and for prompt processing); the caller owns the
        policy (app.cpu_share). Called between tokens, on the thread that streams."""
        import llama_cpp

        llama_cpp.llama_set_n_threads(self._llama._ctx.ctx, n, n)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def chat(
        self,
        messages: list[Message],
        max_tokens: int = 512,
        temperature: float = 0.7,
        seed: int | None = None,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        """Stream the reply to `messages`, formatted with the model's own chat template."""
        with self._lock:
            stream, busy, failed = None, 0.0, True
            pieces: list[str] = []
            # Reusing a cached prompt prefix changes the logits in the last decimals, and with
            # them the sampled text: start clean so a stored seed always gives the same draft.
            self._llama.reset()
            self._watch_prompt(cancel)
            try:
                # A Message's role is "system", "user" or "assistant", as the request's message types
                # say; and with stream=True the reply is a generator of chunks (its type is not narrowed).
                stream = cast(
                    "Generator[CreateChatCompletionStreamResponse, None, None]",
                    self._llama.create_chat_completion(
                        messages=[
                            cast("ChatCompletionRequestMessage", {"role": m.role, "content": m.content})
                            for m in messages
                        ],
                        max_tokens=max_tokens,
                        temperature=temperature,
                        repeat_penalty=1.1,
                        seed=seed,
                        stop=stop,
                        stream=True,
                    ),
                )
                asked = time.perf_counter()
                for chunk in stream:
                    if pieces:  # after the first token, the time this one took the model
                        busy += time.perf_counter() - asked
                    self._watch_prompt(None)
                    if cancel is not None and cancel.is_set():
                        break
                    # an empty delta is a Delta whose keys (all optional) are absent
                    text = cast("ChatCompletionStreamResponseDelta", chunk["choices"][0]["delta"]).get("content")
                    if text:
                        pieces.append(text)
                        yield text
                    asked = time.perf_counter()
                failed = False
            except GeneratorExit:  # the reader stopped early: what was written was still measured
                failed = False
                raise
            except RuntimeError as e:
                if not (cancel is not None and cancel.is_set() and "llama_decode" in str(e)):
                    raise  # an abort we asked for ends the stream quietly; anything else is a bug
                failed = False
            except ValueError as e:
                if "exceed context window" in str(e):
                    raise ModelError(
                        f"The prompt is too long for the model's context of {self.context} tokens. "
                        "Use fewer or shorter memories, or a model with a longer context."
                    ) from None
                raise
            finally:
                self._watch_prompt(None)
                if stream is not None:
                    stream.close()  # leaving the generator is llama-cpp-python's only way to stop
                if not failed and len(pieces) > 1:
                    self._measured(
                        Speed(
                            len(self._llama.tokenize("".join(pieces).encode("utf-8"), add_bos=False, special=False)),
                            busy,
                        )
                    )

    def _measured(self, speed: Speed) -> None:
        self.last_speed = speed
        if self.on_speed is not None and speed.tokens_per_second > 0:
            self.on_speed(self.info.path, speed)

    def _watch_prompt(self, cancel: threading.Event | None) -> None:
        """Let `cancel` interrupt prompt processing, which has no token boundary to stop at.

        llama.cpp polls the callback for every graph node, so it is installed only until
        the first token arrives; between tokens the stream loop checks `cancel` itself.
        """
        import llama_cpp

        if cancel is None:
            if self._abort is None:
                return
            self._abort = None
            llama_cpp.llama_set_abort_callback(self._llama._ctx.ctx, llama_cpp.ggml_abort_callback(), None)
            return
        self._abort = llama_cpp.ggml_abort_callback(lambda _data: cancel.is_set())
        llama_cpp.llama_set_abort_callback(self._llama._ctx.ctx, self._abort, None)
