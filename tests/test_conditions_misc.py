"""Issue 24, point 6: conditions outside the five groups, each tried for real and recorded in
docs/robustness.md's second table (tests/conditions.py)."""

from __future__ import annotations

import os
import time

from tests import conditions
from tests.helpers import db_dump


def test_a_1_gb_text_memory_is_refused_at_once_without_reading_it(fondly, fondly_home, tmp_path):
    """A 1 GB file named .txt (a log or disk image renamed): refused in well under a second, reading
    at most 5 MB of it — before, it was read whole (3.6 GB of memory, 69 s) and only then refused,
    and an 860 MB text file was stored as one memory."""
    fondly("project", "new", "Dad")
    before = db_dump(fondly_home)
    big = tmp_path / "memories.txt"
    with big.open("wb") as f:  # real text, then a sparse 1 GB tail: what it holds past 5 MB is never read
        f.write(b"Dad loved his garden and his old blue car.\n" * 200_000)
        f.truncate(1024 ** 3)
    started = time.monotonic()
    proc = fondly("memory", "add", "Dad", big, ok=False)
    took = time.monotonic() - started
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("fondly: error: memories.txt is larger")
    assert "Traceback" not in proc.stderr and took < 10
    assert db_dump(fondly_home) == before and os.path.getsize(big) == 1024 ** 3
    conditions.record("other conditions", "a 1 GB text file added as a memory", lines[0],
                      "data unchanged; refused in under 10 s (0.5 s measured), reading at most 5 MB")
