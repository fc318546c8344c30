"""Can llama.cpp, as built on this computer, run a model here? Asked in a child process.

Why: llama.cpp is native code compiled for some set of processor instructions. If the build
holds one this processor does not run (AVX2 on an old CPU; AMX on a VM whose CPU advertises it
but does not run it — seen on an Intel Xeon VM: `tilezero` at the first token), the first token
kills the process with SIGILL. No Python `except` can catch that: it has to happen in a child,
and the parent reads how the child ended.

One check (`smoke`) serves three callers: the set-up after it installs llama-cpp-python (and
rebuilds with a safer baseline when the child dies), `fondly doctor`, and the app before the
first use of a model on this install (`Checks` remembers a pass by `key`: llama-cpp-python's
version, the processor's flags and the model file, so it runs once after an install, an upgrade,
a new computer or a new model, and never again).

Run as `python -m llm.native MODEL` it is the child: it loads MODEL, writes a few tokens and
prints one JSON line (llama.cpp's own list of the instruction sets it was built with, speeds).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

SMOKE_TOKENS = 8
FAILED = 3  # the child's exit code when llama.cpp refused the model with an error (no crash)
_PROMPT = "The garden was his pride: tomatoes, leeks and runner beans, every summer."


@dataclass
class Smoke:
    """How a child that loaded a model and wrote a few tokens ended."""

    ok: bool
    model: str
    returncode: int | None = None  # negative: killed by that signal; None: timed out
    detail: str = ""  # the child's last words (stderr tail), or its JSON report when it passed
    loaded: bool = False  # the child had loaded the model (a crash after that happened while writing)
    system_info: str = ""  # llama.cpp's "AVX = 1 | AVX2 = 1 | …", as the child's build reports it
    prompt_tps: float = 0.0
    generation_tps: float = 0.0
    seconds: float = 0.0

    @property
    def signal_name(self) -> str | None:
        """ "Illegal instruction", "Segmentation fault"… when a signal ended the child."""
        if self.returncode is None or self.returncode >= 0:
            return None
        return signal.strsignal(-self.returncode) or f"signal {-self.returncode}"

    @property
    def illegal_instruction(self) -> bool:
        return self.returncode == -signal.SIGILL

    @property
    def processor_crash(self) -> bool:
        """Did the build's instructions, not the model, kill the child? SIGILL always; another
        signal when the build uses AMX or an instruction set this processor does not advertise
        (a native build here died by SIGSEGV at `ldtilecfg`, AMX's first instruction, as the
        kernel had not given the process AMX's state)."""
        if self.illegal_instruction:
            return True
        if self.signal_name is None or self.returncode == -signal.SIGABRT:  # an abort is llama.cpp's own
            return False  # GGML_ASSERT on the model's values, never the processor's instructions
        built = built_features(self.system_info)
        return any(f.startswith("AMX") for f in built) or bool(_missing(built, set(cpu_flags())))

    def explain(self, advice: bool = True) -> str:
        """One plain paragraph: what happened and what to do (empty when it passed); the set-up,
        which is already doing it, asks for no advice."""
        name = Path(self.model).name
        if self.ok:
            return ""
        if self.returncode is None:
            return (
                f"The text model {name} did not write its first words within the time allowed on this "
                "computer; it may be far too large for it. Choose a smaller model."
            )
        if self.processor_crash:
            return (
                f"The text model crashed on this computer's processor ({self.signal_name}): the llama.cpp "
                f"in this installation uses instructions this processor does not run "
                f"({missing_text(self.system_info)})."
                + (
                    " Run `make setup` again: it builds llama.cpp for what this processor really runs, and checks it."
                    if advice
                    else ""
                )
            )
        when = "while writing its first words" if self.loaded else "while loading it"
        if self.signal_name:
            how = "stop (abort)" if self.returncode == -signal.SIGABRT else f"crash ({self.signal_name})"
            return (
                f"{name} made llama.cpp {how} {when}: the file is damaged or made in a way llama.cpp "
                "can't run; choose another model"
                + (", or run `make setup` again if the bundled model does this." if advice else ".")
            )
        if self.returncode == FAILED and "unknown model architecture" in self.detail:
            arch = self.detail.rsplit(":", 1)[-1].strip()
            return (
                f"{name} is a {arch} model, which this version of llama.cpp can't run; choose a "
                "Llama-family model (Llama, Mistral, Qwen, Gemma, Phi…)."
            )
        if self.returncode == FAILED:
            return (
                f"llama.cpp could not {'write with' if self.loaded else 'open'} {name} "
                f"({self.detail.strip()[:200]}); choose another model."
            )
        last = self.detail.strip().splitlines()[-1:] or [""]
        return f"llama.cpp could not write with {name} ({last[0][:200] or 'exit code ' + str(self.returncode)})."

    @property
    def about_the_model(self) -> bool:
        """Did the model file, not this moment, make it fail? Then the same file fails the same way
        and the failure is worth remembering: not a timeout or SIGKILL (a busy or short-of-memory
        computer), not the processor (a rebuild of llama.cpp changes the check's key anyway)."""
        if self.ok or self.returncode is None or self.returncode == -signal.SIGKILL or self.processor_crash:
            return False
        return self.returncode == FAILED or self.signal_name is not None


def cpu_flags() -> list[str]:
    """The instruction sets this processor advertises (Linux's /proc/cpuinfo; empty where it is
    not known). Advertised is not the same as runnable — hence the smoke check."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return sorted(set(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return []


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def built_features(system_info: str) -> list[str]:
    """The instruction sets a llama.cpp build uses, from its system info ("AVX2 = 1 | …")."""
    names = []
    for part in system_info.replace("CPU :", "|").split("|"):
        name, _, value = part.partition("=")
        if value.strip() == "1" and name.strip():
            names.append(name.strip())
    return names


# llama.cpp's names for what it was built with -> /proc/cpuinfo's flag for the same instructions
# fmt: off
_FLAG_OF = {"SSE3": "pni", "SSSE3": "ssse3", "AVX": "avx", "AVX2": "avx2", "F16C": "f16c", "FMA": "fma",
            "BMI2": "bmi2", "AVX_VNNI": "avx_vnni", "AVX512": "avx512f", "AVX512_VBMI": "avx512vbmi",
            "AVX512_VNNI": "avx512_vnni", "AVX512_BF16": "avx512_bf16", "AMX_INT8": "amx_int8"}
# fmt: on


def _missing(built: list[str], flags: set[str]) -> list[str]:
    return [n for n in built if n in _FLAG_OF and _FLAG_OF[n] not in flags]


def missing_text(system_info: str, flags: list[str] | None = None) -> str:
    """Which of the build's instruction sets this processor does not advertise, in words."""
    have = set(cpu_flags() if flags is None else flags)
    built = built_features(system_info)
    missing = _missing(built, have)
    if missing:
        return "it needs " + ", ".join(missing) + ", which this processor lacks"
    amx = [n for n in built if n.startswith("AMX")]
    if amx:
        return "it uses " + ", ".join(amx) + ", which this processor advertises but does not run"
    return "built for " + (", ".join(built) or "an unknown processor")


def llama_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return "missing"


def _stamp(path: Path) -> str:
    """A file's identity: where, which inode, how long, when written (to the nanosecond), so a
    check holds for exactly this file and a changed or replaced one is checked again."""
    try:
        st = path.stat()
        return f"{path.resolve()}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return str(path)


def build_stamp() -> str:
    """Which compiled llama.cpp is installed: its libraries' sizes and times (a rebuild for another
    processor keeps the version number but changes these). Found without importing llama_cpp."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.origin:
        return "missing"
    lib = Path(spec.origin).parent / "lib"
    return " ".join(_stamp(p) for p in sorted(lib.glob("*"))) if lib.is_dir() else "no lib"


def key(model: str | Path) -> str:
    """What a passed check holds for: this llama-cpp-python build, this processor, this model file."""
    parts = [
        llama_version(),
        build_stamp(),
        platform.machine(),
        platform.processor(),
        " ".join(cpu_flags()),
        _stamp(Path(model)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def smoke(
    model: str | Path,
    tokens: int = SMOKE_TOKENS,
    timeout: float = 300,
    threads: int = 0,
    command: list[str] | None = None,
    prompt: str = _PROMPT,
    env: dict | None = None,
) -> Smoke:
    """Load `model` in a child process and write `tokens` tokens; how it ended.

    `command` replaces the child's command line (tests: a child that kills itself with SIGILL
    stands in for the crash; the emulator test runs the child under qemu-x86_64 -cpu …); `env`
    adds to its environment (the bench puts another build of llama-cpp-python first on its path)."""
    argv = command or [
        sys.executable,
        "-m",
        "llm.native",
        str(model),
        "--tokens",
        str(tokens),
        "--threads",
        str(threads),
        "--prompt",
        prompt,
    ]
    started = time.perf_counter()
    try:
        # GGML_NO_BACKTRACE: on an assert, ggml would otherwise attach gdb for a backtrace (a second)
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            errors="replace",
            env={**os.environ, "PYTHONFAULTHANDLER": "", "GGML_NO_BACKTRACE": "1", **(env or {})},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Smoke(False, str(model), None, "timed out", seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    report = _report(proc.stdout)
    loaded = "LOADED" in proc.stdout.splitlines()
    if proc.returncode == 0 and report is not None:
        return Smoke(
            True,
            str(model),
            0,
            proc.stdout.strip(),
            True,
            report.get("system_info", ""),
            report.get("prompt_tps", 0.0),
            report.get("generation_tps", 0.0),
            seconds,
        )
    info = report.get("system_info", "") if report else ""
    if not info:  # the child reports its build before it writes: a crash after that still says it
        info = next((line[len("SYSTEM ") :] for line in proc.stdout.splitlines() if line.startswith("SYSTEM ")), "")
    tail = _reason(proc.stderr) or "\n".join(proc.stderr.strip().splitlines()[-5:])
    return Smoke(False, str(model), proc.returncode, tail, loaded, info, seconds=seconds)


def _reason(stderr: str) -> str:
    """llama.cpp's own words for why it stopped: the failed GGML_ASSERT, else its first error line
    (gguf_init_from_reader: "key … has invalid GGUF type", "unknown model architecture: 'x'"…)."""
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.startswith(("gguf", "llama", "/")) and "llama_model_loader: - " not in line
    ]  # not the loader's list of keys and values
    asserts = [line[line.index("GGML_ASSERT") :] for line in lines if "GGML_ASSERT" in line]
    errors = [line for line in lines if any(w in line for w in ("error", "invalid", "unknown model"))]
    return (asserts or errors or [""])[0][:300]


def _report(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


@dataclass
class Checks:
    """Passed checks, remembered in a small JSON file (the app's is in its cache folder): a
    check runs once per install, processor and model, never before every draft."""

    path: Path
    passed: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Checks:
        try:
            data = json.loads(path.read_text())
            return cls(path, data if isinstance(data, dict) else {})
        except (OSError, ValueError):
            return cls(path)

    def has_passed(self, model: str | Path) -> bool:
        entry = self.passed.get(key(model))
        return isinstance(entry, dict) and "failed" not in entry

    def failure(self, model: str | Path) -> str | None:
        """What this very file did when it was checked, if it failed: the app does not make llama.cpp
        abort on it again (a changed file, or another llama.cpp, has another key and is checked anew)."""
        entry = self.passed.get(key(model))
        return entry.get("failed") if isinstance(entry, dict) and isinstance(entry.get("failed"), str) else None

    def remember(self, result: Smoke) -> None:
        """Keep a pass, or a failure the file itself caused (Smoke.about_the_model)."""
        if not (result.ok or result.about_the_model):
            return
        entry = {
            "model": result.model,
            "llama_cpp_python": llama_version(),
            "system_info": result.system_info,
            "at": time.strftime("%Y-%m-%d %H:%M"),
        }
        if not result.ok:
            entry["failed"] = result.explain()
        self.passed[key(result.model)] = entry
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.passed, indent=1))
            os.replace(tmp, self.path)
        except OSError:
            pass  # not remembered: the check runs again next time, which costs seconds, nothing else


def _child(argv: list[str]) -> int:
    """The child: report the build, load the model, write a few tokens, print one JSON line."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m llm.native")
    parser.add_argument("model")
    parser.add_argument("--tokens", type=int, default=SMOKE_TOKENS)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--prompt", default=_PROMPT, help="a shorter one for an emulated processor")
    args = parser.parse_args(argv)
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
    print("SYSTEM " + info, flush=True)  # said before anything runs, so a crash still tells the build
    try:  # verbose: llama.cpp's reasons and asserts reach stderr, which the parent reads
        llama = llama_cpp.Llama(model_path=args.model, n_ctx=512, n_threads=args.threads or None, verbose=True)
    except Exception as e:  # noqa: BLE001 — a load llama.cpp refused without crashing: the parent reads FAILED
        print("FAILED " + " ".join(str(e).split())[:300], flush=True)
        return FAILED
    print("LOADED", flush=True)
    prompt = llama.tokenize(args.prompt.encode())
    started = time.perf_counter()
    first, written = 0.0, 0
    for token in llama.generate(prompt, temp=0.0):
        written += 1
        if written == 1:
            first = time.perf_counter()  # the prompt read and the first token sampled
        if written >= args.tokens or token == llama.token_eos():
            break
    read, wrote = first - started, time.perf_counter() - first
    print(
        json.dumps(
            {
                "system_info": info,
                "prompt_tps": round(len(prompt) / read, 1) if read else 0.0,
                "generation_tps": round((written - 1) / wrote, 1) if wrote else 0.0,
                "tokens": written,
            }
        )
    )
    return 0


def as_dict(result: Smoke) -> dict:
    return {**asdict(result), "signal": result.signal_name, "explanation": result.explain()}


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
