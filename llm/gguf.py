"""Read a GGUF file's header and metadata in pure Python, without loading the model.

llama.cpp can abort the whole process on a malformed file, so every model is read
here first: the magic bytes, every metadata value, every tensor's place in the file.
Anything that does not add up is refused with a message before llama.cpp sees it.

The header is hostile until read: every count is held to what the rest of the file could hold,
nesting, names and sizes to hard limits, the whole read to a deadline, so no file costs more than
seconds or raises anything but ModelError. The `gguf` package (llama.cpp's own Python reader) was
measured for this and not taken: it raised RecursionError on arrays nested 5,000 deep, KeyError
on a sparse file, and took 2.0 s on SmolLM2's header, where this reader takes 0.04 s. Values that
pass here can still make llama.cpp abort; app.native_check loads the file in a child before use.
"""

from __future__ import annotations

import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from llm.errors import ModelError

MAGIC = b"GGUF"

# GGUF metadata value types: struct format, or a marker for the variable-size ones.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9

# ggml tensor types: (elements per block, bytes per block), from ggml's type traits.
# fmt: off
TENSOR_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
    26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56), 30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66), 39: ("MXFP4", 32, 17),
}
# fmt: on

# general.file_type: how the weights were quantized, as llama.cpp names it.
# fmt: off
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4",
}
# fmt: on

# Hard limits on what a header may ask of the reader. Real models are far inside them (SmolLM2: 33
# keys, 272 tensors, a 1.8 MB header; the largest vocabularies hold ~260,000 tokens and ~500,000
# merges in ~30 MB); a file past them is damaged or made to hurt, and is refused before it costs
# minutes (a 4 GB sparse file claiming a billion keys kept the old reader busy for ~20 minutes).
_MAX_STRING = 64 * 1024 * 1024
_MAX_KEY = 64 * 1024
_MAX_KV = 100_000
_MAX_TENSORS = 100_000
_MAX_ITEMS = 16_000_000  # elements of one metadata array
_MAX_DEPTH = 3  # an array of arrays of arrays; llama.cpp itself reads no nested arrays
_MAX_HEADER = 256 * 1024 * 1024  # where the weights may start at the latest
_MAX_DIMS = 4  # GGML_MAX_DIMS
_MAX_NAME = 64  # GGML_MAX_NAME, a tensor name's bytes
_MAX_ALIGNMENT = 1 << 20
# the least bytes one key/value and one tensor description can take: a file can't hold more of them
# than its remaining bytes allow, which is what refuses an absurd count at once
_KV_BYTES = 8 + 4 + 1
_TENSOR_BYTES = 8 + 4 + 4 + 8
SECONDS = 10.0  # reading one header; `models find` allows less per file

# llama.cpp's limits on the values its loader asserts (GGML_ASSERT aborts the process):
# LLAMA_MAX_LAYERS and LLAMA_MAX_EXPERTS, and n_expert_used <= n_expert, both zero or both not
_MAX_LAYERS = 512
_MAX_EXPERTS = 512


@dataclass
class GGUFInfo:
    """What Fondly needs to know about a model before loading it."""

    path: Path
    version: int
    architecture: str
    name: str
    parameters: int
    quantization: str
    context_length: int | None
    chat_template: str | None
    size_bytes: int
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)
    weights: tuple[int, int] = (0, 0)  # where the tensor data starts, and how many bytes it takes

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "architecture": self.architecture,
            "name": self.name,
            "parameters": self.parameters,
            "quantization": self.quantization,
            "context_length": self.context_length,
            "chat_template": bool(self.chat_template),
            "size_bytes": self.size_bytes,
        }


class _Reader:
    """Reads forward only, never past the file's end or _MAX_HEADER, and gives up at `deadline`."""

    def __init__(self, f: BinaryIO, size: int, version: int = 3, deadline: float = float("inf")):
        self.f, self.size, self.deadline, self.version = f, size, deadline, version
        self.limit = min(size, _MAX_HEADER)

    def left(self) -> int:
        return self.limit - self.f.tell()

    def in_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Damaged("its header takes too long to read (far more entries than a model has)")

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.left():
            raise _Damaged(
                "it ends in the middle of its header"
                if self.f.tell() + n > self.size
                else "its header is larger than any model's"
            )
        data = self.f.read(n)
        if len(data) != n:
            raise _Damaged("it ends in the middle of its header")
        return data

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def count(self) -> int:
        return self.unpack("<I" if self.version == 1 else "<Q")

    def string(self, limit: int = _MAX_STRING) -> str:
        n = self.count()
        if n > limit:
            raise _Damaged("a metadata string is impossibly long")
        return self.take(n).decode("utf-8", errors="replace")

    def skip_strings(self, n: int) -> None:
        """Step over n strings with the same checks as string(), in a tight loop: a 150,000-token
        vocabulary read one string at a time took most of a second, and finding models reads many."""
        width = 4 if self.version == 1 else 8
        read, seek, pos, limit = self.f.read, self.f.seek, self.f.tell(), self.limit
        for i in range(n):
            if not i & 0xFFFF:
                self.in_time()
            head = read(width)
            if len(head) < width:
                raise _Damaged("it ends in the middle of its header")
            length = int.from_bytes(head, "little")
            pos += width + length
            if length > _MAX_STRING:
                raise _Damaged("a metadata string is impossibly long")
            if pos > limit:
                raise _Damaged("it ends in the middle of its header")
            seek(length, 1)

    def value(self, vtype: int, depth: int = 0) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype != _ARRAY:
            raise _Damaged(f"it has a metadata value of unknown type {vtype}")
        if depth >= _MAX_DEPTH:
            raise _Damaged("its metadata nests arrays inside arrays deeper than any model does")
        item_type, n = self.unpack("<I"), self.count()
        # each item takes at least this many bytes, so the file must hold n of them
        least = struct.calcsize(_SCALARS[item_type]) if item_type in _SCALARS else 12 if item_type == _ARRAY else 8
        if n > _MAX_ITEMS or n * least > self.left():
            raise _Damaged("a metadata array is larger than the file")
        if item_type in _SCALARS:  # large token tables: skip them, keep the length
            data = self.take(n * least)
            return list(struct.unpack(f"<{n}{_SCALARS[item_type][1]}", data)) if n <= 64 else n
        if item_type == _STRING and n > 64:  # the vocabulary and merges: skipped, not decoded
            self.skip_strings(n)
            return n
        items = []
        for i in range(n):
            if not i & 0xFFF:
                self.in_time()
            items.append(self.value(item_type, depth + 1))
        return items if n <= 64 else n


class _Damaged(Exception):
    pass


def read(path: str | Path, seconds: float = SECONDS) -> GGUFInfo:
    """Read and check a GGUF file's header, never more than it holds and for at most `seconds`;
    a ModelError says plainly why it cannot be used."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ModelError(f"{path} is a folder. Choose a .gguf model file inside it.")
    if not path.is_file():
        raise ModelError(
            f"There is no model file at {path}. If it was on a disk that is not connected now, "
            "connect it again; otherwise check the path, or choose another .gguf file."
        )
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size  # of the file opened, not of whatever the path names later
            if f.read(4) != MAGIC:
                raise ModelError(
                    f"{path.name} is not a GGUF model (it does not start with the GGUF signature). "
                    "Fondly runs llama.cpp models saved as .gguf files."
                )
            return _read_body(path, f, size, time.monotonic() + seconds)
    except _Damaged as e:
        raise ModelError(
            f"{path.name} is a damaged or incomplete GGUF model: {e}. "
            "If it was downloaded, download it again; otherwise choose another model."
        ) from None
    except (ValueError, OverflowError, RecursionError, MemoryError, struct.error) as e:  # a limit missed above
        raise ModelError(
            f"{path.name} is a damaged GGUF model ({type(e).__name__}: {str(e)[:100]}). Choose another model."
        ) from None
    except OSError as e:
        raise ModelError(f"{path} can't be read ({e.strerror}).") from None


def _read_body(path: Path, f: BinaryIO, size: int, deadline: float) -> GGUFInfo:
    r = _Reader(f, size, deadline=deadline)
    version = r.unpack("<I")
    if version not in (1, 2, 3):
        raise _Damaged(f"its format version {version} is not one llama.cpp reads")
    r.version = version
    n_tensors, n_kv = r.count(), r.count()
    if n_kv > _MAX_KV or n_tensors > _MAX_TENSORS or n_kv * _KV_BYTES + n_tensors * _TENSOR_BYTES > r.left():
        raise _Damaged(f"its header counts are impossible ({n_kv:,} keys and {n_tensors:,} tensors in {size:,} bytes)")
    meta: dict[str, Any] = {}
    for _ in range(n_kv):
        r.in_time()
        key = r.string(_MAX_KEY)
        if key in meta:
            raise _Damaged(f"its metadata key {key[:60]!r} appears twice")
        meta[key] = r.value(r.unpack("<I"))
    alignment = _alignment(meta)

    tensors: list[tuple[int, int]] = []  # (offset, bytes)
    names: set[str] = set()
    parameters = 0
    for _ in range(n_tensors):
        r.in_time()
        name = r.string(_MAX_NAME)
        if name in names:
            raise _Damaged(f"the tensor {name!r} appears twice")
        names.add(name)
        n_dims = r.unpack("<I")
        if not 1 <= n_dims <= _MAX_DIMS:
            raise _Damaged("a tensor has an impossible shape")
        dims = [r.unpack("<Q") for _ in range(n_dims)]
        ttype, offset = r.unpack("<I"), r.unpack("<Q")
        elements = 1
        for d in dims:
            elements *= d
        if elements >= 1 << 63:
            raise _Damaged("a tensor has an impossible shape")
        if ttype not in TENSOR_TYPES:
            raise ModelError(
                f"{path.name} uses a tensor type ({ttype}) this version of Fondly does not know. "
                "Choose a model quantized in a common format such as Q4_K_M or Q8_0."
            )
        _, block, nbytes = TENSOR_TYPES[ttype]
        if elements % block or offset % alignment:
            raise _Damaged(f"the tensor {name!r} does not fit its type's blocks or the file's alignment")
        parameters += elements
        tensors.append((offset, elements // block * nbytes))

    data_start = -(-f.tell() // alignment) * alignment
    data_end = 0
    for offset, nbytes in sorted(tensors):
        if offset < data_end:
            raise _Damaged("two of its tensors overlap")
        data_end = offset + nbytes
    if data_start + data_end > size:
        missing = data_start + data_end - size
        raise _Damaged(f"its weights are cut short ({missing:,} bytes missing)")

    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise _Damaged("it does not say which model architecture it holds")
    _check_hparams(meta, arch)
    ctx = meta.get(f"{arch}.context_length")
    ftype = meta.get("general.file_type")
    return GGUFInfo(
        path=path,
        version=version,
        architecture=arch,
        name=str(meta.get("general.name") or path.stem),
        parameters=parameters,
        quantization=FILE_TYPES.get(ftype, f"type {ftype}") if isinstance(ftype, int) else "unknown",
        context_length=int(ctx) if isinstance(ctx, int) else None,
        chat_template=meta.get("tokenizer.chat_template")
        if isinstance(meta.get("tokenizer.chat_template"), str)
        else None,
        size_bytes=size,
        metadata=meta,
        weights=(data_start, data_end),
    )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _alignment(meta: dict[str, Any]) -> int:
    """general.alignment: a whole power of two (llama.cpp refuses anything else), 32 when absent."""
    value = meta.get("general.alignment", 32)
    if not _whole(value) or not 1 <= value <= _MAX_ALIGNMENT or value & (value - 1):
        raise _Damaged(f"its general.alignment is {str(value)[:20]!r}, not a power of two")
    return value


def _check_hparams(meta: dict[str, Any], arch: str) -> None:
    """The values llama.cpp's loader asserts on (a failed GGML_ASSERT aborts the whole process):
    refused here with a reason; the child-process load (app.native_check) catches the rest."""
    for key in ("block_count", "context_length", "embedding_length"):
        value = meta.get(f"{arch}.{key}")
        if value is not None and (not _whole(value) or value < 1):
            raise _Damaged(f"its {arch}.{key} is {str(value)[:20]}, where a model has at least 1")
    layers = meta.get(f"{arch}.block_count")
    if layers is not None and layers > _MAX_LAYERS:
        raise _Damaged(f"its {arch}.block_count is {layers:,}, more layers than llama.cpp allows ({_MAX_LAYERS})")
    experts, used = meta.get(f"{arch}.expert_count", 0), meta.get(f"{arch}.expert_used_count", 0)
    if (
        not _whole(experts)
        or not _whole(used)
        or not 0 <= experts <= _MAX_EXPERTS
        or not 0 <= used <= experts
        or (experts > 0) != (used > 0)
    ):
        raise _Damaged(
            f"its expert counts do not add up ({arch}.expert_count {str(experts)[:20]}, "
            f"{arch}.expert_used_count {str(used)[:20]})"
        )


def check_on_disk(info: GGUFInfo) -> GGUFInfo:
    """Refuse a file whose weights are mostly holes (a sparse file: `truncate -s 4G` after a small
    header, or a download that preallocated and stopped): llama.cpp would load zeros. Asked of the
    filesystem's map of the file (SEEK_HOLE), so a 4 GB file costs no reading. Part of the full
    check before use (app.native_check), not of reading a header: tests stand in for large models
    with sparse files whose headers are all they need."""
    start, nbytes = info.weights
    try:
        with info.path.open("rb") as f:
            absent = _holes(f, start, start + nbytes)
    except OSError as e:
        raise ModelError(f"{info.path} can't be read ({e.strerror}).") from None
    if nbytes and absent * 16 > nbytes:
        raise ModelError(
            f"{info.path.name} is an incomplete GGUF model: {absent:,} of its {nbytes:,} bytes of "
            "weights are not on the disk (a sparse or unfinished file). If it was downloaded, "
            "download it again; otherwise choose another model."
        )
    return info


def _holes(f: BinaryIO, start: int, end: int, steps: int = 4096) -> int:
    """Bytes in [start, end) the filesystem holds no data for; 0 where holes can't be asked for."""
    seek_hole, seek_data = getattr(os, "SEEK_HOLE", None), getattr(os, "SEEK_DATA", None)
    if seek_hole is None or seek_data is None:
        return 0
    fd, pos, absent = f.fileno(), start, 0
    try:
        for _ in range(steps):
            hole = os.lseek(fd, pos, seek_hole)
            if hole >= end:
                break
            try:
                pos = os.lseek(fd, hole, seek_data)
            except OSError:  # no data after the hole
                pos = end
            absent += min(pos, end) - hole
            if pos >= end:
                break
    except OSError:
        return 0
    return absent
