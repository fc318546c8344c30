"""Long-lived workers: one owns the text model, one the speech model, each on its own QThread.

The GUI thread never runs a model, a decode or a long query. It asks a worker for work
through queued signals, and results come back only as signals. Stopping is a
threading.Event the GUI sets directly: the worker is busy in a loop, so a queued
"stop" would arrive only after the work it meant to stop.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.errors import USER_ERRORS, FondlyError
from app.store import Store


def _message(e: BaseException) -> str:
    if isinstance(e, USER_ERRORS):
        return str(e)
    traceback.print_exception(e)
    return f"Something went wrong ({type(e).__name__}: {e}). Your memories and drafts are safe."


class Worker(QObject):
    """A QObject living on its own thread, with its own database connection."""

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self._store: Store | None = None
        self.thread = QThread()
        self.thread.setObjectName(type(self).__name__)
        self.moveToThread(self.thread)

    @property
    def store(self) -> Store:
        if self._store is None:  # opened on the worker's thread, never shared
            self._store = Store.open_default()
        return self._store

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop current work, let the thread finish, and wait for it."""
        self.cancel.set()
        self.thread.quit()
        self.thread.wait()


class TextWorker(Worker):
    """Owns the llama.cpp engine: warms it up, then writes drafts on request."""

    loaded = Signal(str)  # model name
    load_failed = Signal(str)
    chunk = Signal(str)  # a token of the paragraph being written
    paragraph = Signal(object)  # a finished, checked paragraph (llm.composition.Paragraph)
    discard = Signal()  # the tokens since the last paragraph failed their checks: drop them
    finished = Signal(int, int, bool)  # draft id, revision id, stopped part-way
    piece_done = Signal(object)  # app.writing.Piece to insert into the open draft
    rewritten = Signal(object)  # app.writing.Rewrite: the passage, the new text or the problems
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.engine = None

    @Slot()
    def warm_up(self) -> None:
        self._engine()

    def _engine(self):
        if self.engine is None:
            from app.engines import open_text_engine

            try:
                self.engine = open_text_engine()
            except Exception as e:
                self.load_failed.emit(_message(e))
                return None
            self.loaded.emit(self.engine.name)
        return self.engine

    @Slot()
    def reload(self) -> None:
        """Switch to the model now in the settings; if it fails to load, keep the one in use."""
        from app.engines import open_text_engine

        try:
            engine = open_text_engine()
        except Exception as e:
            self.load_failed.emit(_message(e) + (f" Still writing with {self.engine.name}." if self.engine else ""))
            return
        self.engine = engine
        self.loaded.emit(engine.name)

    def _with_engine(self, work):
        """Run `work(engine)`; a failure (no model, a person's mistake, a bug) becomes `failed`."""
        self.cancel.clear()
        try:
            engine = self._engine()
            if engine is None:
                self.failed.emit("The text model is not available, so nothing can be written yet.")
                return None
            return work(engine)
        except Exception as e:
            self.failed.emit(_message(e))
            return None

    @Slot(int, object, object)
    def generate(self, project_id: int, brief, memory_ids) -> None:
        """Write from a Brief (or shorthand); `memory_ids` limits the memories used (None: choose)."""
        from app.writing import write

        result = self._with_engine(lambda engine: write(
            self.store, self.store.project(project_id), brief, engine, memory_ids=memory_ids, cancel=self.cancel,
            on_token=self.chunk.emit, on_paragraph=self.paragraph.emit, on_discard=self.discard.emit))
        if result is not None:
            self.finished.emit(result.draft.id, result.revision.id, result.stopped)

    @Slot(int, object, object)
    def piece(self, project_id: int, brief, memory_ids) -> None:
        """An anecdote (or opening, closing) for the open draft; the window inserts it at the cursor."""
        from app.writing import compose_piece

        result = self._with_engine(lambda engine: compose_piece(
            self.store, self.store.project(project_id), brief, engine, memory_ids=memory_ids, cancel=self.cancel,
            on_token=self.chunk.emit, on_paragraph=self.paragraph.emit, on_discard=self.discard.emit))
        if result is not None:
            self.piece_done.emit(result)

    @Slot(int, str, str, object)
    def rewrite(self, project_id: int, passage: str, how: str, brief) -> None:
        from app.writing import rewrite

        result = self._with_engine(lambda engine: rewrite(
            self.store, self.store.project(project_id), passage, how, brief, engine, cancel=self.cancel))
        if result is not None:
            self.rewritten.emit(result)


class SpeechWorker(Worker):
    """Owns the Whisper model: imports files one at a time, transcribing audio as it goes."""

    loaded = Signal(str)
    load_failed = Signal(str)
    added = Signal(int)  # a memory was stored (transcription may follow)
    segment = Signal(int, str, float)  # memory id, text, fraction done
    done = Signal(int)  # memory finished: ready, or failed with its error stored on it
    failed = Signal(str, str)  # file name, message: the file was refused and nothing was stored
    recovered = Signal(int, str)  # memory id, title: a recording cut off last time, now finished
    dictated = Signal(str)
    pace_measured = Signal(int, int)  # project id, words per minute
    problem = Signal(str)  # an error outside importing (dictation, pace): shown as it is
    live_segment = Signal(int, str)  # memory id, text: from the live transcript's own thread

    def __init__(self) -> None:
        super().__init__()
        self.transcriber = None

    @Slot()
    def warm_up(self) -> None:
        """Load the model, then finish any recording an earlier run was killed in."""
        from app import recordings

        if self._transcriber() is None:
            return
        for memory in recordings.unfinished(self.store):
            try:
                memory = recordings.recover(self.store, memory, self.transcriber)
            except Exception as e:
                self.failed.emit(memory.title, _message(e))
                continue
            self.recovered.emit(memory.id, memory.title)

    def live(self, memory_id: int, hotwords: list[str]):
        """A live transcript for a recording; its segments are stored from its own thread."""
        from speech.live import LiveTranscriber

        store = Store.open_default()
        count = [0]

        def keep(seg) -> None:
            store.add_segment(memory_id, count[0], seg.start, seg.end, seg.text, seg.confidence)
            count[0] += 1
            self.live_segment.emit(memory_id, seg.text)

        live = LiveTranscriber(self.transcriber, hotwords, keep)
        live.store = store
        return live

    @Slot(int, object, object)
    def finish_recording(self, memory_id: int, live, hotwords) -> None:
        """After Stop: the last live chunk, then the final pass over the whole recording."""
        from app import recordings

        try:
            live.finish()
            live.store.close()
            recordings.finish(self.store, memory_id, self.transcriber, list(hotwords))
        except Exception as e:
            self.store.update_memory(memory_id, status="failed", error=_message(e))
        self.done.emit(memory_id)

    @Slot(int, str)
    def measure_pace(self, project_id: int, path: str) -> None:
        from app.pace import measure

        try:
            if self._transcriber() is None:
                raise FondlyError("The speech model could not be loaded, so the pace can't be measured.")
            project = self.store.project(project_id)
            wpm, _words, _seconds = measure(self.transcriber, path, project.hotwords)
            self.store.update_project(project_id, pace=wpm)
        except Exception as e:
            self.problem.emit(f"{path.rsplit('/', 1)[-1]}: {_message(e)}")
            return
        self.pace_measured.emit(project_id, wpm)

    @Slot(object, object)
    def dictate(self, audio, hotwords) -> None:
        try:
            text = " ".join(s.text for s in self.transcriber.transcribe(audio, list(hotwords)))
        except Exception as e:
            self.problem.emit(f"Dictation failed: {_message(e)}")
            return
        self.dictated.emit(text)

    @Slot()
    def reload(self) -> None:
        """Switch to the speech model now in the settings, keeping the old one if the new fails."""
        from app.engines import open_transcriber

        try:
            transcriber = open_transcriber()
        except Exception as e:
            self.load_failed.emit(_message(e))
            return
        self.transcriber = transcriber
        self.loaded.emit(transcriber.name)

    def _transcriber(self):
        if self.transcriber is None:
            from app.engines import open_transcriber

            try:
                self.transcriber = open_transcriber()
            except Exception as e:
                self.load_failed.emit(_message(e))
                return None
            self.loaded.emit(self.transcriber.name)
        return self.transcriber

    @Slot(int, str)
    def import_file(self, project_id: int, path: str) -> None:
        from app.memories import prepare, store_prepared, transcribe_memory

        self.cancel.clear()
        try:
            item = prepare(path)
            project = self.store.project(project_id)
            if item.kind == "audio" and self._transcriber() is None:
                raise FondlyError("The speech model could not be loaded, so the audio was not imported.")
            memory = store_prepared(self.store, project, item)
        except Exception as e:
            self.failed.emit(path.rsplit("/", 1)[-1], _message(e))
            return
        self.added.emit(memory.id)
        if item.kind == "audio":
            length = max(memory.duration or 0.0, 0.001)
            try:
                transcribe_memory(
                    self.store, memory.id, item.audio, self.transcriber, project.hotwords,
                    on_segment=lambda m, s: self.segment.emit(m.id, s.text, min(1.0, s.end / length)),
                    cancel=self.cancel,
                )
            except Exception as e:
                _message(e)  # the memory holds the error; a bug's traceback goes to the log
        self.done.emit(memory.id)
