"""`fondly eval`: cases run through the whole path, then scored by the independent judge.

A case is a folder with `case.json`: the project (occasion, subject, speaker, people),
its memories, the shorthand, and hand-written labels (what must appear, what must not,
the length). Each runs in a throwaway database, never the person's. The writing is
Fondly's; the scoring is app.judge, which shares no code with the grounding filter.
`--check` turns the thresholds into an exit code, so a worse model or a regression fails.
A memory may be given as `{"title", "speak"}`: espeak-ng reads it aloud and it comes in through
Whisper like an imported recording, so a case can measure what speech does to the words. A case
with `"answers"` answers the interview's first questions with them and writes twice, before and
after, so the report shows what answering adds.
The report is the same for every model (`--model`, `make quality MODEL=PATH`) and names the
model it is about — file, family, size, quantization, the mode it wrote in and the speed
measured while it wrote — so a person can compare a larger model before switching to it.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from app.errors import FondlyError
from app.judge import MAX_SENTENCE_WORDS, Judge
from app.store import Person, Store
from app.writing import mode_reason, model_status, size_text, write
from llm.brief import DEFAULT_PACE

MIN_SUPPORTED = 0.95  # of the sentences of every case, and of the whole set


def find_cases(paths: Iterable[str | Path]) -> list[Path]:
    found = []
    for p in map(Path, paths):
        if (p / "case.json").exists():
            found.append(p)
        elif p.is_dir():
            found += sorted(c.parent for c in p.glob("*/case.json"))
    return found


def frame_words(folder: Path) -> set[str]:
    """The judge's own list of framing words, beside the cases (or one level up)."""
    for path in (folder / "frame-words.txt", folder.parent / "frame-words.txt"):
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            return {w for line in lines if not line.startswith("#") for w in line.split()}
    return set()


def load_case(folder: Path) -> dict:
    try:
        case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise FondlyError(f"The evaluation case {folder / 'case.json'} can't be read: {e}") from None
    if not isinstance(case, dict) or not isinstance(case.get("shorthand"), str):
        raise FondlyError(f'The evaluation case {folder / "case.json"} has no "shorthand".')
    for m in case.get("memories", []):
        if (
            not isinstance(m, dict)
            or not isinstance(m.get("title"), str)
            or not (isinstance(m.get("text"), str) or isinstance(m.get("speak"), str))
        ):
            raise FondlyError(
                f'A memory of the evaluation case {folder / "case.json"} needs a "title" and a '
                f'"text" (or "speak", read aloud by espeak-ng): {str(m)[:80]}'
            )
    answers = case.get("answers", [])
    if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
        raise FondlyError(f'"answers" in the evaluation case {folder / "case.json"} must be a list of answers as text.')
    return case


@functools.cache
def _whisper():
    """The bundled (or chosen) Whisper model, loaded once, and only for a case with spoken memories."""
    from app.engines import open_transcriber

    return open_transcriber()


def speak(text: str, wav: Path) -> Path:
    """`text` read by espeak-ng (British English, 150 words a minute) into `wav`; offline, like all else."""
    if not shutil.which("espeak-ng"):
        raise FondlyError(
            "An evaluation case has a memory to be read aloud by espeak-ng, which is not installed "
            "(on Debian or Ubuntu: sudo apt install espeak-ng)."
        )
    subprocess.run(
        ["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(wav), text],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return wav


def word_error(said: str, heard: str) -> float:
    """Word error rate of what Whisper heard against what was said (punctuation and case aside)."""
    a, b = (re.findall(r"[a-z0-9']+", t.lower().replace("’", "'")) for t in (said, heard))
    return round(Levenshtein.distance(a, b) / len(a), 3) if a else 0.0


def _spoken_memory(store: Store, project, m: dict, tmp: Path) -> dict:
    """A memory read aloud and imported as audio is: decoded to 16 kHz mono and transcribed into the
    memory segment by segment (app.memories.prepare and transcribe_memory, add_files' own steps).
    The one step left out is the copy into the data folder: a throwaway database's memory ids would
    overwrite the person's own audio files (memory-1.wav …), so the audio stays in the temporary folder."""
    from app import memories, vocabulary
    from speech import audio as speech_audio

    wav = speak(m["speak"], tmp / f"spoken-{len(list(tmp.glob('spoken-*.wav'))) + 1}.wav")
    item = memories.prepare(wav)
    assert item.audio is not None  # a .wav is prepared as audio, with its samples
    memory = store.add_memory(
        project.id,
        "audio",
        m["title"],
        source_path=str(wav),
        audio_path=str(wav),
        status="transcribing",
        duration=speech_audio.duration(item.audio),
    )
    memory = memories.transcribe_memory(
        store, memory.id, item.audio, _whisper(), vocabulary.for_project(store, project, leave_out=memory.id)
    )  # as an import hears
    return {
        "title": m["title"],
        "said": m["speak"],
        "heard": memory.text,
        "word_error": word_error(m["speak"], memory.text),
    }


def _interview(store: Store, project, shorthand: str, answers: list[str]) -> list[dict]:
    """The interview's first questions, answered with the case's scripted answers, as a person would type them."""
    from app import interview

    asked = interview.questions(store, project, shorthand)
    done = []
    for question, text in zip(asked, answers):
        interview.answer_typed(store, project, question, text)
        done.append({"id": question.id, "question": question.text, "fills": question.fills, "answer": text})
    return done


def run_case(folder: Path, engine, seed: int = 1) -> dict:
    case = load_case(folder)
    heard, asked, before = [], [], None
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "eval.db")
        try:
            project = store.create_project(
                folder.name,
                case.get("occasion", "funeral"),
                case.get("subject", ""),
                case.get("speaker", ""),
                [Person(n) for n in case.get("people", [])],
                case.get("pace", DEFAULT_PACE),
            )
            for m in case.get("memories", []):
                if "speak" in m:
                    heard.append(_spoken_memory(store, project, m, Path(tmp)))
                else:
                    store.add_memory(project.id, "text", m["title"], text=m["text"])
            if case.get("answers"):
                started = time.perf_counter()
                before = write(store, project, case["shorthand"], engine, seed=seed)
                before_seconds = time.perf_counter() - started
                asked = _interview(store, store.project(project.id), case["shorthand"], case["answers"])
                project = store.project(project.id)
            started = time.perf_counter()
            result = write(store, project, case["shorthand"], engine, seed=seed)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    checks = result.revision.checks
    judge = Judge(case, frame_words(folder), heard=[h["heard"] for h in heard])
    score = judge.score(result.revision.text, checks, seconds, folder.name)
    if heard:  # also against what was said: a word Whisper misheard is one the person never said
        score.said_supported = (
            Judge(case, frame_words(folder)).score(result.revision.text, checks, seconds, folder.name).supported
        )
        score.word_errors = [round(h["word_error"], 3) for h in heard]
        score.max_word_error = float(case.get("labels", {}).get("max_word_error", 0.0))
    paragraphs = result.composition.paragraphs
    interview = None
    if before is not None:
        b = judge.score(before.revision.text, before.revision.checks, before_seconds, folder.name)
        interview = {
            "asked": asked,
            "answers": len(case["answers"]),
            "before": {
                "text": before.revision.text,
                "words": b.words,
                "sentences": b.sentences,
                "supported": b.supported,
                "length_error": b.length_error,
                "shortfall": before.revision.checks.get("shortfall", ""),
                "seconds": round(before_seconds, 1),
            },
        }
    return {
        **score.to_dict(),
        "heard": heard,
        "interview": interview,
        "shorthand": case["shorthand"],
        "mode": checks.get("mode", ""),
        "dropped": checks.get("dropped", 0),
        "regenerated": checks.get("regenerated", 0),
        "fallbacks": checks.get("fallbacks", 0),
        "filter_unsupported": checks.get("unsupported_words", []),
        "shortfall": checks.get("shortfall", ""),
        "notes": checks.get("notes", []),
        "paragraphs": len(paragraphs),
        "origins": {
            o: sum(1 for p in paragraphs for s in p.sentences if s.origin == o)
            for o in ("memory", "voice", "edited", "frame", "model")
        },
        "text": result.revision.text,
    }


class SpeedLog:
    """Every reply's speed while the cases run (Engine.on_speed, kept chained to the app's own
    recording): the report's speed is what this model did on these cases, on this machine."""

    def __init__(self, engine) -> None:
        self.speeds: list = []
        if hasattr(engine, "on_speed"):  # a local model; a server's speed is not ours to measure
            passed_on = engine.on_speed

            def chained(path, speed) -> None:
                self.speeds.append(speed)
                if passed_on:
                    passed_on(path, speed)

            engine.on_speed = chained

    def to_dict(self) -> dict | None:
        tokens, seconds = sum(s.tokens - 1 for s in self.speeds), sum(s.seconds for s in self.speeds)
        if not self.speeds or seconds <= 0:
            return None
        return {
            "tokens_per_second": round(tokens / seconds, 1),
            "replies": len(self.speeds),
            "tokens": sum(s.tokens for s in self.speeds),
        }


def model_report(engine, speeds: SpeedLog | None = None) -> dict:
    """The model the report is about: what its file says, the mode it writes in here, and its speed."""
    info = getattr(engine, "info", None)
    status = model_status(engine)
    return {
        "file": status["name"],
        "path": status["path"],
        "architecture": getattr(info, "architecture", None),
        "parameters": status["parameters"],
        "quantization": status["quantization"],
        "context": getattr(engine, "context", None),
        "mode": status["mode"],
        "writing_setting": status["writing_setting"],
        "speed": speeds.to_dict() if speeds else None,
    }


def model_line(model: dict) -> str:
    """The report's first word on the model: what it is, how it writes, how fast it wrote here."""
    about = [
        model["architecture"] or "a model server",
        size_text(model["parameters"]) if model["path"] else None,
        model["quantization"],
        f"context {model['context']}" if model["context"] else None,
    ]
    speed = model["speed"]
    if speed:
        measured = (
            f"{speed['tokens_per_second']:.0f} tokens/s while writing these drafts ({speed['tokens']} tokens "
            f"in {speed['replies']} replies, measured)"
        )
    else:
        measured = (
            "no speed: the model wrote nothing here to time" if model["path"] else "speed not measured (a server)"
        )
    return (
        f"**Model: `{model['file']}`** — {', '.join(x for x in about if x)}; writes {model['mode']}, "
        f"{mode_reason(model)}; {measured}."
    )


def summary(rows: list[dict]) -> dict:
    sentences = sum(r["sentences"] for r in rows if not r["scaffold_expected"])
    supported = sum(r["supported"] for r in rows if not r["scaffold_expected"])
    return {
        "cases": len(rows),
        "sentences": sentences,
        "supported_share": round(supported / sentences, 3) if sentences else 0.0,
        "failed": [r["case"] for r in rows if r["failures"]],
        "seconds": round(sum(r["seconds"] for r in rows), 1),
    }


def passed(rows: list[dict]) -> bool:
    s = summary(rows)
    return not s["failed"] and s["supported_share"] >= MIN_SUPPORTED


def spoken(r: dict) -> str:
    """Fillers / restarts / sentences too long to say in a breath: what reading aloud would trip on."""
    return f"{len(r['fillers'])}/{len(r['restarts'])}/{len(r['long_sentences'])}"


def line(r: dict) -> str:
    if r["scaffold_expected"]:
        return f"{r['case']:<26} scaffold {'yes' if r['scaffold_ok'] else 'NO'}  {r['seconds']:.1f} s"
    must = sum(r["must_haves"].values())
    before = r.get("interview") and r["interview"]["before"]
    return (
        f"{r['case']:<26} supported {r['supported']}/{r['sentences']}  invented "
        f"{len(r['invented_names']) + len(r['invented_numbers']) + len(r['invented_kin'])}  meta {len(r['meta'])}  "
        f"repeated {len(r['repeated'])}  must-haves {must}/{len(r['must_haves'])}  spoken {spoken(r)}  "
        + (
            "heard WER "
            + ", ".join(f"{h['word_error']:.0%}" for h in r["heard"])
            + f" (as said: {r['said_supported']}/{r['sentences']} supported)  "
            if r.get("heard")
            else ""
        )
        + (f"words {before['words']} → {r['words']} after {len(r['interview']['asked'])} answers  " if before else "")
        + f"length {r['length_error']:+.0%}"
        f"{' (shortfall shown)' if r['shortfall_shown'] else ''}  {r['seconds']:.1f} s"
        + (f"  FAIL: {'; '.join(r['failures'])}" if r["failures"] else "")
    )


def report_markdown(rows: list[dict], model: dict) -> str:
    """The report, the same for any model; `model` is model_report's."""
    s = summary(rows)
    lines = [
        f"# Fondly quality report — {model['file']}",
        "",
        model_line(model),
        "",
        "Produced by `fondly eval … --markdown` (`make quality` for the bundled model, `make quality MODEL=PATH` for",
        "any other: the same cases, the same report). Each case runs the whole path — the Brief, grounding, writing,",
        "the checks — and is then scored by `app/judge.py`, which shares no code with the grounding filter and scores",
        "against labels written by hand in each `case.json`.",
        "",
        (
            f"**{s['supported_share']:.0%} of {s['sentences']} sentences supported** (judge); cases failing the thresholds: "
            f"{', '.join(s['failed']) or 'none'}; {s['seconds']:.0f} s in all."
        ),
        "",
        (
            "| case | mode | supported | invented (names/numbers/kin) | meta | repeated | spoken (fillers/restarts/long) "
            "| must-haves | length | dropped / fallbacks | seconds |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r["scaffold_expected"]:
            lines.append(
                f"| {r['case']} | — | scaffold: {'yes' if r['scaffold_ok'] else 'NO'} | | | | | | | | {r['seconds']} |"
            )
            continue
        must = ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in r["must_haves"].items())
        invented = "/".join(str(len(r[k])) for k in ("invented_names", "invented_numbers", "invented_kin"))
        length = f"{r['length_error']:+.0%} ({r['words']}/{r['target_words']} words)"
        if r["shortfall"]:
            length += f"; shown: “{r['shortfall']}”"
        if r.get("interview"):
            b = r["interview"]["before"]
            length += f"; before {len(r['interview']['asked'])} answers: {b['length_error']:+.0%} ({b['words']} words)"
        lines.append(
            f"| {r['case']} | {r['mode']} | {r['supported']}/{r['sentences']} | {invented} | {len(r['meta'])} | "
            f"{len(r['repeated'])} | {spoken(r)} | {must} | {length} | {r['dropped']} / {r['fallbacks']} | "
            f"{r['seconds']} |"
        )
    lines += ["", "## Drafts, in full", ""]
    for r in rows:
        lines += [f"### {r['case']}", "", f"> {r['shorthand']}", ""]
        for h in r.get("heard") or []:
            lines += [
                (
                    f"Memory “{h['title']}” read aloud by espeak-ng and heard by Whisper ({h['word_error']:.0%} word "
                    "error):"
                ),
                "",
                f"- said: {h['said']}",
                f"- heard: {h['heard']}",
                "",
            ]
        if r.get("interview"):
            b = r["interview"]["before"]
            lines += [f"Before the interview ({b['words']} words, {b['supported']}/{b['sentences']} supported):", ""]
            lines += ["> " + x if x.strip() else ">" for x in b["text"].strip().splitlines()]
            lines += [
                "",
                (
                    f"The interview's first {len(r['interview']['asked'])} questions, answered "
                    f"(of {r['interview']['answers']} scripted answers):"
                ),
                "",
            ]
            lines += [
                f"{i}. **{q['question']}** ({q['fills']}) — {q['answer']}"
                for i, q in enumerate(r["interview"]["asked"], 1)
            ]
            lines += ["", f"After the answers ({r['words']} words):", ""]
        lines += [r["text"].strip(), ""]
        for label, found in (
            ("Fillers", r["fillers"]),
            ("Restarts", r["restarts"]),
            (f"Sentences over {MAX_SENTENCE_WORDS} words", r["long_sentences"]),
        ):
            if found:
                lines += [f"{label} the judge heard:", ""] + [f"- {x}" for x in found] + [""]
        if r["unsupported"]:
            lines += ["Sentences the judge could not trace:", ""]
            lines += [f"- {u['sentence']} — *{', '.join(u['words'])}*" for u in r["unsupported"]]
            lines.append("")
        if r["notes"]:
            lines += [f"Fondly said: {' '.join(r['notes'])}", ""]
    return "\n".join(lines) + "\n"
