"""The one way the window runs work off the GUI thread: `runner.run(op, on_done, on_failed, on_progress)`.

Modelled on Anki's CollectionOp: an operation is a plain function of a `Job` (the worker's
own Store connection, the models, a cancel flag, a progress callback). The runner owns
the threads, turns every exception into one message (a person's mistake as it is, a bug
as "something went wrong, your work is safe" with the traceback in the log), and calls
back on the GUI thread. The panels never see a QThread or a cross-thread signal.

There are two lanes, "text" and "speech", each one QThread taking operations in order:
writing must not queue behind a 30-minute import. The models are owned by `Engines`
(app.engines), shared by both lanes and loaded on first use.

Stopping is a threading.Event per operation that the GUI sets directly: the worker is
busy in a loop, so a queued "stop" would arrive only after the work it meant to stop.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.database import translate
from app.engines import Engines
from app.errors import USER_ERRORS
from app.heap import cap_mmap_threshold, give_back_freed_memory
from app.store import Store

LANES = ("text", "speech")


def message_for(e: BaseException) -> str:
    """What a person reads about a failure: theirs as it is, ours with an apology (and a log)."""
    if isinstance(e, USER_ERRORS):
        return str(e)
    said = translate(e)  # SQLite about the file itself: damaged, read-only, disk full
    if said is not None:
        return str(said)
    traceback.print_exception(e)
    return f"Something went wrong ({type(e).__name__}: {e}). Your memories and drafts are safe."


def off_the_window(
    runner: OperationRunner | None,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
) -> None:
    """`work()` on the runner's text lane (the lane that loads models), its result or its one-line
    failure back on the GUI thread. A dialog made on its own, with no window's runner (a test
    of the dialog alone), does it at once instead."""
    if runner is not None:
        runner.run(lambda _job: work(), on_done=on_done, on_failed=on_failed)
        return
    try:
        result = work()
    except Exception as e:  # noqa: BLE001 — as the runner: every failure one message (a bug's trace logged)
        on_failed(message_for(e))
        return
    on_done(result)


@dataclass(eq=False)
class Operation:
    """One submitted piece of work and what to call (on the GUI thread) when it reports."""

    fn: Callable[[Job], Any]
    lane: str
    on_done: Callable[[Any], None] | None = None
    on_failed: Callable[[str], None] | None = None
    on_progress: Callable[[Any], None] | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    number: int = 0

    def cancel(self) -> None:
        self.cancelled.set()


class Job:
    """What an operation gets on its worker thread."""

    def __init__(self, lane: _Lane, op: Operation) -> None:
        self._lane, self._op = lane, op
        self.cancel = op.cancelled  # a threading.Event: the writers and transcribers take it as is

    @property
    def store(self) -> Store:
        return self._lane.store

    @property
    def engines(self) -> Engines:
        return self._lane.engines

    def text_engine(self):
        """The text model, loaded now if it is not yet (a failure is the operation's failure)."""
        return self._lane.load("text")

    def transcriber(self):
        return self._lane.load("speech")

    def progress(self, payload: Any) -> None:
        """Hand something to the operation's on_progress, on the GUI thread."""
        self._lane.progress.emit(self._op, payload)


class _Lane(QObject):
    """Lives on its own QThread, with its own Store connection; runs operations in order."""

    done = Signal(object, object)  # operation, result
    failed = Signal(object, str)  # operation, message
    progress = Signal(object, object)  # operation, payload
    loaded = Signal(str, str)  # "text" | "speech", model name
    load_failed = Signal(str, str)  # "text" | "speech", message

    def __init__(self, name: str, engines: Engines, open_store: Callable[[], Store]) -> None:
        super().__init__()
        self.name, self.engines, self._open_store = name, engines, open_store
        self._store: Store | None = None
        self.qthread = QThread()  # not `thread`: that is QObject.thread()
        self.qthread.setObjectName(f"fondly-{name}")
        self.moveToThread(self.qthread)

    @property
    def store(self) -> Store:
        if self._store is None:  # opened on the lane's own thread, never shared
            self._store = self._open_store()
        return self._store

    def load(self, kind: str):
        engine, fresh = self.engines.get(kind)
        if fresh:
            self.loaded.emit(kind, engine.name)
        return engine

    @Slot(object)
    def execute(self, op: Operation) -> None:
        if op.cancelled.is_set() and op.on_done is None:
            self.done.emit(op, None)  # cancelled before it began, and nobody waits for its result
            return
        try:
            # A draft is many model calls with checks between them: the whole operation, not
            # each call, is what an import gives way to (app.cpu_share).
            with self.engines.share.writing() if self.name == "text" else contextlib.nullcontext():
                result = op.fn(Job(self, op))
        except Exception as e:  # noqa: BLE001 — the runner: every failure one message (a bug's trace logged)
            self.failed.emit(op, message_for(e))
            return
        finally:
            if self.name == "speech":
                give_back_freed_memory()
        self.done.emit(op, result)

    @Slot(str)
    def reload(self, kind: str) -> None:
        """Switch to the model now in the settings; if it fails to load, keep the one in use."""
        try:
            engine = self.engines.reload(kind)
        except Exception as e:  # noqa: BLE001 — a model that fails to load, however, leaves the one in use
            still = self.engines.loaded(kind)
            doing = "writing" if kind == "text" else "transcribing"
            self.load_failed.emit(kind, message_for(e) + (f" Still {doing} with {still.name}." if still else ""))
            return
        self.loaded.emit(kind, engine.name)

    @Slot()
    def close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class OperationRunner(QObject):
    """Submit work with `run`; it calls back on the GUI thread. One per window."""

    model_loaded = Signal(str, str)  # "text" | "speech", model name
    model_failed = Signal(str, str)  # "text" | "speech", message
    finished = Signal(object)  # an Operation, after its on_done / on_failed ran

    _submit_text = Signal(object)
    _submit_speech = Signal(object)
    _reload_text = Signal(str)
    _reload_speech = Signal(str)

    def __init__(self, engines: Engines | None = None, open_store: Callable[[], Store] = Store.open_default) -> None:
        super().__init__()
        cap_mmap_threshold()  # before any import: long audio must not fragment the heap (app.heap)
        self.engines = engines or Engines()
        self._numbers = itertools.count(1)
        self._pending: dict[str, list[Operation]] = {lane: [] for lane in LANES}
        self._lanes = {lane: _Lane(lane, self.engines, open_store) for lane in LANES}
        for lane, submit, reload in (
            (self._lanes["text"], self._submit_text, self._reload_text),
            (self._lanes["speech"], self._submit_speech, self._reload_speech),
        ):
            submit.connect(lane.execute)
            reload.connect(lane.reload)
            # Cross-thread signals go to @Slot methods, never lambdas: PySide6 6.8+ can corrupt
            # reference counts delivering a queued signal to a plain callable (PYSIDE-3124).
            lane.done.connect(self._done)
            lane.failed.connect(self._failed)
            lane.progress.connect(self._progress)
            lane.loaded.connect(self._loaded)
            lane.load_failed.connect(self._load_failed)
            lane.qthread.start()

    # --- submitting --------------------------------------------------------------------------

    def run(
        self,
        op: Callable[[Job], Any],
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        lane: str = "text",
    ) -> Operation:
        """Queue `op(job)` on a lane; its result goes to on_done, a failure's message to on_failed
        (or nowhere, if None: it was only a warm-up)."""
        operation = Operation(op, lane, on_done, on_failed, on_progress, number=next(self._numbers))
        self._pending[lane].append(operation)
        (self._submit_text if lane == "text" else self._submit_speech).emit(operation)
        return operation

    def busy(self, lane: str) -> bool:
        return bool(self._pending[lane])

    def cancel(self, lane: str) -> None:
        """Stop what a lane is doing and everything queued behind it (each keeps what it has)."""
        for op in self._pending[lane]:
            op.cancel()

    def reload(self, kind: str) -> None:
        """Load the model now in the settings, on its lane, after the work queued there."""
        (self._reload_text if kind == "text" else self._reload_speech).emit(kind)

    def shutdown(self) -> None:
        """Cancel everything, stop hearing about it, and wait for the lanes to finish."""
        for lane in LANES:
            self.cancel(lane)
            self._pending[lane].clear()
        for worker in self._lanes.values():
            worker.blockSignals(True)
            worker.qthread.quit()
            worker.qthread.wait()
            worker.close_store()

    # --- reports, on the GUI thread ----------------------------------------------------------

    def _settle(self, op: Operation) -> bool:
        if op not in self._pending[op.lane]:
            return False  # shut down meanwhile
        self._pending[op.lane].remove(op)
        return True

    @Slot(object, object)
    def _done(self, op: Operation, result: Any) -> None:
        if self._settle(op):
            if op.on_done is not None:
                op.on_done(result)
            self.finished.emit(op)

    @Slot(object, str)
    def _failed(self, op: Operation, message: str) -> None:
        if self._settle(op):
            if op.on_failed is not None:
                op.on_failed(message)
            self.finished.emit(op)

    @Slot(object, object)
    def _progress(self, op: Operation, payload: Any) -> None:
        if op in self._pending[op.lane] and op.on_progress is not None:
            op.on_progress(payload)

    @Slot(str, str)
    def _loaded(self, kind: str, name: str) -> None:
        self.model_loaded.emit(kind, name)

    @Slot(str, str)
    def _load_failed(self, kind: str, message: str) -> None:
        self.model_failed.emit(kind, message)
