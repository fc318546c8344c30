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
        f.truncate(1024**3)
    started = time.monotonic()
    proc = fondly("memory", "add", "Dad", big, ok=False)
    took = time.monotonic() - started
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("fondly: error: memories.txt is larger")
    assert "Traceback" not in proc.stderr and took < 10
    assert db_dump(fondly_home) == before and os.path.getsize(big) == 1024**3
    conditions.record(
        "other conditions",
        "a 1 GB text file added as a memory",
        lines[0],
        "data unchanged; refused in under 10 s (0.5 s measured), reading at most 5 MB",
    )


def test_a_model_on_a_disk_that_was_removed(fondly, fondly_home, tmp_path):
    """The person's model and model folder on a USB disk (a real tmpfs mount here), then the disk is
    unplugged (unmounted): write and doctor name the missing file and say to connect the disk again,
    models find says which folder it could not search, and nothing in the data folder changes."""
    import shutil
    import subprocess

    from llm.models import bundled_model

    disk = tmp_path / "usb"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(disk)], check=True)
    try:
        shutil.copyfile(bundled_model(), disk / "my.gguf")
        fondly("project", "new", "Dad")
        (tmp_path / "dad.txt").write_text("Dad fixed bikes in the shed every Sunday.\n")
        fondly("memory", "add", "Dad", tmp_path / "dad.txt")
        fondly("models", "folder", "add", disk)
        fondly("models", "add", disk / "my.gguf")
        fondly("models", "use", "my")
    finally:
        subprocess.run(["umount", str(disk)], check=True)  # unplugged: the desktop's automounter (udisks)
        disk.rmdir()  # also removes the mount point it made under /media
    before = db_dump(fondly_home)
    write = fondly("write", "Dad", "a short eulogy for Dad", ok=False)
    [line] = write.stderr.strip().splitlines()
    assert write.returncode == 1 and f"There is no model file at {disk}/my.gguf" in line and "connect it again" in line
    found = fondly("models", "find")
    assert f"Not searched: {disk} is not there now" in found.stderr and "Traceback" not in found.stderr
    doctor = fondly("doctor", ok=False)
    assert "connect it again" in doctor.stdout and "Traceback" not in doctor.stderr
    assert db_dump(fondly_home) == before and fondly("draft", "list", "Dad").stdout.strip() == ""
    conditions.record(
        "other conditions",
        "the model and its folder on a disk that was unplugged (a tmpfs unmounted)",
        line.replace(str(tmp_path), "…") + ' (models find: "Not searched: …/usb is not there now '
        '(a disk that is not connected?)")',
        "data unchanged; no draft started",
    )
