"""GGUF files for tests, written byte by byte: small synthetic ones from scratch, and copies of the
bundled model whose metadata was edited (the way an attacker or a broken converter would make one).

Kept apart from llm/gguf.py on purpose: the reader under test must not be what writes its input.
A copy keeps the bundled model's tensor infos and data as they are; only the metadata changes, so
the header's length changes and the data is re-aligned after it (tensor offsets are relative to
the data's start, so they still hold).
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
# fmt: off
_FMT = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q",
        I64: "<q", F64: "<d"}
# fmt: on


def string(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data


def value(vtype: int, v) -> bytes:
    """A typed metadata value (type id not included)."""
    if vtype == STRING:
        return string(v)
    if vtype == ARRAY:
        item_type, items = v
        return struct.pack("<IQ", item_type, len(items)) + b"".join(value(item_type, i) for i in items)
    return struct.pack(_FMT[vtype], v)


def kv(key: str, vtype: int, v) -> bytes:
    return string(key) + struct.pack("<I", vtype) + value(vtype, v)


def nested_array(depth: int) -> bytes:
    """A value of type ARRAY holding one array holding one array… `depth` deep (an empty one inside)."""
    inner = struct.pack("<IQ", U8, 0)
    for _ in range(depth - 1):
        inner = struct.pack("<IQ", ARRAY, 1) + inner
    return inner


def synthetic(
    path: Path,
    kvs: list[bytes] | None = None,
    n_kv: int | None = None,
    n_tensors: int | None = None,
    tensors: list[tuple[str, list[int], int]] | None = None,
    data: bytes | None = None,
) -> Path:
    """A small GGUF: the given raw kv entries (default: a llama architecture and its name) and F32
    tensors (name, dims, offset); counts can be overridden to lie about what follows."""
    kvs = [kv("general.architecture", STRING, "llama"), kv("general.name", STRING, "tiny")] if kvs is None else kvs
    tensors = [("t", [4], 0)] if tensors is None else tensors
    head = b"GGUF" + struct.pack(
        "<IQQ", 3, len(tensors) if n_tensors is None else n_tensors, len(kvs) if n_kv is None else n_kv
    )
    body = b"".join(kvs) + b"".join(
        string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", 0, off)
        for name, dims, off in tensors
    )
    out = head + body
    out += b"\0" * (-len(out) % 32)
    out += data if data is not None else b"\0" * sum(4 * _prod(d) for _, d, _ in tensors)
    path.write_bytes(out)
    return path


def _prod(dims: list[int]) -> int:
    n = 1
    for d in dims:
        n *= d
    return n


# --- copies of a real model with edited metadata -------------------------------------------------


class _Walk:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def u(self, fmt: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def skip_value(self, vtype: int) -> None:
        if vtype == STRING:
            self.take(self.u("<Q"))
        elif vtype == ARRAY:
            item_type, n = self.u("<I"), self.u("<Q")
            if item_type in _FMT:
                self.take(n * struct.calcsize(_FMT[item_type]))
            else:
                for _ in range(n):
                    self.skip_value(item_type)
        else:
            self.take(struct.calcsize(_FMT[vtype]))


def split(model: Path) -> tuple[dict[str, bytes], bytes, int, int]:
    """A trusted GGUF's (raw kv entries by key, raw tensor infos, tensor count, data start)."""
    with model.open("rb") as f:
        data = f.read(32 * 1024 * 1024)  # SmolLM2's header is ~1.5 MB
    w = _Walk(data)
    assert w.take(4) == b"GGUF" and w.u("<I") == 3
    n_tensors, n_kv = w.u("<Q"), w.u("<Q")
    entries, alignment = {}, 32
    for _ in range(n_kv):
        start = w.pos
        key = w.take(w.u("<Q")).decode()
        vtype = w.u("<I")
        if key == "general.alignment":
            alignment = struct.unpack("<I", data[w.pos : w.pos + 4])[0]
        w.skip_value(vtype)
        entries[key] = data[start : w.pos]
    infos_start = w.pos
    for _ in range(n_tensors):
        w.take(w.u("<Q"))
        w.take(8 * w.u("<I"))
        w.take(12)
    data_start = -(-w.pos // alignment) * alignment
    return entries, data[infos_start : w.pos], n_tensors, data_start


def edited_copy(
    model: Path, out: Path, set_: dict[str, bytes] | None = None, drop: tuple[str, ...] = (), raw_kvs: list[bytes] = ()
) -> Path:
    """`model` with some kv entries replaced or added (`set_`: key -> kv(...) bytes), some dropped, and
    raw entries appended; its tensors and their data unchanged."""
    entries, infos, n_tensors, data_start = split(model)
    for key in drop:
        entries.pop(key, None)
    entries.update(set_ or {})
    kvs = [*entries.values(), *raw_kvs]
    head = b"GGUF" + struct.pack("<IQQ", 3, n_tensors, len(kvs)) + b"".join(kvs) + infos
    head += b"\0" * (-len(head) % 32)
    with model.open("rb") as src, out.open("wb") as dst:
        dst.write(head)
        src.seek(data_start)
        shutil.copyfileobj(src, dst, 8 * 1024 * 1024)
    return out
