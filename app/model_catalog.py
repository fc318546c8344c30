"""Fondly's short list of text models to download (app/model_catalog.json), and which one to
recommend for this computer.

The list is data, so it can be reviewed (and replaced in tests through `FONDLY_CATALOG`) without
touching code. What it cannot know — this computer's memory and cores — is read here; the
figures it derives (memory needed, expected speed) follow the rules stated in the file itself,
so `fondly models catalog` can print each figure next to where it came from.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import FondlyError

CATALOG = Path(__file__).with_name("model_catalog.json")
SPEED_CORES = (2, 4, 8)
AUTO_THREADS_MAX = 4  # settings.threads(): the cores up to four, unless the person set a number


@dataclass(frozen=True)
class Entry:
    """One downloadable model, as the catalog lists it, with what Fondly works out from it."""

    id: str
    name: str
    family: str
    parameters: int
    quantization: str
    repo: str
    file: str
    revision: str
    size_bytes: int | None
    sha256: str | None
    licence: dict[str, str]
    good_for: str
    sources: str
    ram_bytes: int
    tokens_per_second: dict[int, float]
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "parameters": self.parameters,
            "quantization": self.quantization,
            "repo": self.repo,
            "file": self.file,
            "revision": self.revision,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "licence": self.licence,
            "good_for": self.good_for,
            "sources": self.sources,
            "ram_needed_bytes": self.ram_bytes,
            "tokens_per_second": {str(c): v for c, v in self.tokens_per_second.items()},
        }


@dataclass(frozen=True)
class Catalog:
    entries: list[Entry]
    speed_rule: str
    ram_rule: str
    recommend_rule: str
    basis: dict[str, Any]
    ram_share: float
    min_tokens_per_second: float

    def find(self, name: str) -> Entry:
        """An entry by its id ("qwen2.5-1.5b") or its name ("Qwen2.5 1.5B Instruct"), any case."""
        wanted = name.strip().lower()
        for e in self.entries:
            if wanted in (e.id.lower(), e.name.lower()):
                return e
        raise FondlyError(
            f"Fondly's catalog has no model called {name!r}. "
            f"Choose one of: {', '.join(e.id for e in self.entries)} (`fondly models catalog`)."
        )

    def recommend(self, ram_bytes: int | None, cores: int | None) -> tuple[Entry | None, str]:
        """The first model, in the catalog's order of preference, that fits in the memory share and
        writes fast enough by the estimate; with the reason, in a sentence."""
        cores = cores or 1
        budget = ram_bytes * self.ram_share if ram_bytes else None
        for e in self.entries:
            fits = budget is None or e.ram_bytes <= budget
            if fits and speed_at(e, cores) >= self.min_tokens_per_second:
                memory = f"{_gb(ram_bytes)} of memory" if ram_bytes else "memory Fondly could not read"
                return e, (
                    f"the best writer that fits this computer ({memory}, {cores} "
                    f"core{'s' if cores != 1 else ''}): it needs about {_gb(e.ram_bytes)} and should write "
                    f"about {speed_at(e, cores):.0f} tokens a second"
                )
        return None, (
            f"none of these fits this computer well ({_gb(ram_bytes) if ram_bytes else 'unknown'} memory, "
            f"{cores} core{'s' if cores != 1 else ''}); the bundled model stays the better choice"
        )


def _gb(n: float | None) -> str:
    return "unknown" if n is None else f"{n / 1e9:.1f} GB"


def speed_at(e: Entry, cores: int) -> float:
    """The estimate for a computer with `cores` cores, with Fondly's automatic threads."""
    threads = max(1, min(cores, AUTO_THREADS_MAX))
    return e.extra["tps_per_thread"] * threads


def load(path: str | Path | None = None) -> Catalog:
    """The catalog: `path`, else $FONDLY_CATALOG (tests), else the one shipped with Fondly."""
    path = Path(path or os.environ.get("FONDLY_CATALOG") or CATALOG)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        basis = data["speed_basis"]
        per_thread_bytes = basis["tokens_per_second"] * basis["size_bytes"] / basis["threads"]
        entries = []
        for m in data["models"]:
            a = m["architecture"]
            kv = 2 * a["layers"] * a["kv_heads"] * a["head_dim"] * 2 * data["context_tokens"]
            size = m.get("size_bytes")  # may be null: the hub says at download time
            tps_thread = per_thread_bytes / size if size else 0.0
            entries.append(
                Entry(
                    id=m["id"],
                    name=m["name"],
                    family=m["family"],
                    parameters=int(m["parameters"]),
                    quantization=m["quantization"],
                    repo=m["repo"],
                    file=m["file"],
                    revision=m.get("revision") or "main",
                    size_bytes=size,
                    sha256=(m.get("sha256") or None),
                    licence=m["licence"],
                    good_for=m["good_for"],
                    sources=m["sources"],
                    ram_bytes=int((size or 0) + kv + data["overhead_bytes"]),
                    tokens_per_second={c: round(tps_thread * max(1, min(c, AUTO_THREADS_MAX)), 1) for c in SPEED_CORES},
                    extra={"tps_per_thread": tps_thread},
                )
            )
        rec = data["recommend"]
        return Catalog(
            entries,
            data["speed_rule"],
            data["ram_rule"],
            rec["why"],
            basis,
            float(rec["ram_share"]),
            float(rec["min_tokens_per_second"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise FondlyError(
            f"Fondly's model catalog {path} can't be read ({type(e).__name__}: {e}). "
            "Reinstall Fondly, or unset FONDLY_CATALOG."
        ) from None


def machine() -> tuple[int | None, int]:
    """This computer's memory in bytes (None if it can't be read) and its cores: psutil where it is
    installed (Windows has no sysconf), else the POSIX sysconf."""
    cores = os.cpu_count() or 1
    try:
        import psutil

        return int(psutil.virtual_memory().total), cores
    except ImportError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), cores
    except (ValueError, OSError, AttributeError):
        return None, cores


def listing(path: str | Path | None = None) -> dict[str, Any]:
    """What `fondly models catalog --json` prints: every entry, the recommendation for this
    computer, and the rules every derived figure follows."""
    catalog = load(path)
    ram, cores = machine()
    chosen, why = catalog.recommend(ram, cores)
    return {
        "machine": {"ram_bytes": ram, "cores": cores},
        "recommended": chosen.id if chosen else None,
        "why": why,
        "speed_source": catalog.speed_rule,
        "speed_basis": catalog.basis,
        "ram_source": catalog.ram_rule,
        "recommendation_rule": catalog.recommend_rule,
        "models": [{**e.to_dict(), "recommended": e is chosen} for e in catalog.entries],
    }
