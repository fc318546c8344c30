"""Read a GGUF file's header and metadata in pure Python, without loading the model.

llama.cpp can abort the whole process on a malformed file, so every model is read
here first: the magic bytes, every metadata value, every tensor's place in the file.
Anything that does not add up is refused with a message before llama.cpp sees it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from llm.errors import ModelError

MAGIC = b"GGUF"

# GGUF metadata value types: struct format, or a marker for the variable-size ones.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9

# ggml tensor types: (elements per block, bytes per block), from ggml's type traits.
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

# general.file_type: how the weights were quantized, as llama.cpp names it.
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4",
}

_MAX_STRING = 64 * 1024 * 1024  # a longer metadata string means a damaged file


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
    def __init__(self, f: BinaryIO, size: int, version: int = 3):
        self.f, self.size, self.version = f, size, version

    def take(self, n: int) -> bytes:
        if n < 0 or self.f.tell() + n > self.size:
            raise _Damaged("it ends in the middle of its header")
        return self.f.read(n)

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def count(self) -> int:
        return self.unpack("<I" if self.version == 1 else "<Q")

    def string(self) -> str:
        n = self.count()
        if n > _MAX_STRING:
            raise _Damaged("a metadata string is impossibly long")
        return self.take(n).decode("utf-8", errors="replace")

    def skip_strings(self, n: int) -> None:
        """Step over n strings with the same checks as string(), in a tight loop: a 150,000-token
        vocabulary read one string at a time took most of a second, and finding models reads many."""
        width = 4 if self.version == 1 else 8
        read, seek, pos, size = self.f.read, self.f.seek, self.f.tell(), self.size
        for _ in range(n):
            head = read(width)
            if len(head) < width:
                raise _Damaged("it ends in the middle of its header")
            length = int.from_bytes(head, "little")
            pos += width + length
            if length > _MAX_STRING:
                raise _Damaged("a metadata string is impossibly long")
            if pos > size:
                raise _Damaged("it ends in the middle of its header")
            seek(length, 1)

    def value(self, vtype: int) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            item_type, n = self.unpack("<I"), self.count()
            if item_type in _SCALARS:  # large token tables: skip them, keep the length
                width = struct.calcsize(_SCALARS[item_type])
                if n * width > self.size:
                    raise _Damaged("a metadata array is larger than the file")
                data = self.take(n * width)
                return list(struct.unpack(f"<{n}{_SCALARS[item_type][1]}", data)) if n <= 64 else n
            if n > self.size:
                raise _Damaged("a metadata array is larger than the file")
            if item_type == _STRING and n > 64:  # the vocabulary and merges: skipped, not decoded
                self.skip_strings(n)
                return n
            items = [self.value(item_type) for _ in range(n)]
            return items if n <= 64 else n
        raise _Damaged(f"it has a metadata value of unknown type {vtype}")


class _Damaged(Exception):
    pass


def read(path: str | Path) -> GGUFInfo:
    """Read and check a GGUF file; a ModelError says plainly why it cannot be used."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ModelError(f"{path} is a folder. Choose a .gguf model file inside it.")
    if not path.is_file():
        raise ModelError(f"There is no model file at {path}. Check the path, or choose another .gguf file.")
    size = path.stat().st_size
    try:
        with path.open("rb") as f:
            if f.read(4) != MAGIC:
                raise ModelError(
                    f"{path.name} is not a GGUF model (it does not start with the GGUF signature). "
                    "Fondly runs llama.cpp models saved as .gguf files."
                )
            return _read_body(path, f, size)
    except _Damaged as e:
        raise ModelError(
            f"{path.name} is a damaged or incomplete GGUF model: {e}. "
            "If it was downloaded, download it again; otherwise choose another model."
        ) from None
    except OSError as e:
        raise ModelError(f"{path} can't be read ({e.strerror}).") from None


def _read_body(path: Path, f: BinaryIO, size: int) -> GGUFInfo:
    r = _Reader(f, size)
    version = r.unpack("<I")
    if version not in (1, 2, 3):
        raise _Damaged(f"its format version {version} is not one llama.cpp reads")
    r.version = version
    n_tensors, n_kv = r.count(), r.count()
    if n_tensors > size or n_kv > size:
        raise _Damaged("its header counts are impossible")
    meta: dict[str, Any] = {}
    for _ in range(n_kv):
        key = r.string()
        meta[key] = r.value(r.unpack("<I"))

    parameters, data_end = 0, 0
    for _ in range(n_tensors):
        r.string()  # tensor name
        n_dims = r.unpack("<I")
        if n_dims > 8:
            raise _Damaged("a tensor has an impossible shape")
        dims = [r.unpack("<Q") for _ in range(n_dims)]
        ttype, offset = r.unpack("<I"), r.unpack("<Q")
        elements = 1
        for d in dims:
            elements *= d
        parameters += elements
        if ttype not in TENSOR_TYPES:
            raise ModelError(
                f"{path.name} uses a tensor type ({ttype}) this version of Fondly does not know. "
                "Choose a model quantized in a common format such as Q4_K_M or Q8_0."
            )
        _, block, nbytes = TENSOR_TYPES[ttype]
        data_end = max(data_end, offset + (elements // block) * nbytes)

    alignment = int(meta.get("general.alignment", 32)) or 32
    data_start = -(-f.tell() // alignment) * alignment
    if data_start + data_end > size:
        missing = data_start + data_end - size
        raise _Damaged(f"its weights are cut short ({missing:,} bytes missing)")

    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise _Damaged("it does not say which model architecture it holds")
    ctx = meta.get(f"{arch}.context_length")
    ftype = meta.get("general.file_type")
    return GGUFInfo(
        path=path,
        version=version,
        architecture=arch,
        name=str(meta.get("general.name") or path.stem),
        parameters=parameters,
        quantization=FILE_TYPES.get(ftype, f"type {ftype}") if ftype is not None else "unknown",
        context_length=int(ctx) if isinstance(ctx, int) else None,
        chat_template=meta.get("tokenizer.chat_template") if isinstance(meta.get("tokenizer.chat_template"), str) else None,
        size_bytes=size,
        metadata=meta,
    )


_PROBE = """
import sys
from llama_cpp import Llama
try:
    Llama(model_path=sys.argv[1], vocab_only=True, verbose=True)  # llama.cpp says why, on stderr
except Exception as e:
    print("FAILED", e)
    sys.exit(3)
print("OK")
"""


def check_loadable(info: GGUFInfo, timeout: float = 120) -> GGUFInfo:
    """Let llama.cpp itself try the file, in a child process: an architecture it does not know, or
    anything else that would abort a process, costs the child, never the app."""
    import subprocess
    import sys

    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE, str(info.path)], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ModelError(f"llama.cpp took too long to open {info.path.name}; it may be damaged.") from None
    if proc.returncode == 0 and "OK" in proc.stdout:
        return info
    detail = (proc.stdout + proc.stderr).strip()
    if "unknown model architecture" in detail or "unknown architecture" in detail:
        raise ModelError(f"{info.path.name} is a {info.architecture!r} model, which this version of llama.cpp "
                         "can't run. Choose a Llama-family model (Llama, Mistral, Qwen, Gemma, Phi…).")
    raise ModelError(f"llama.cpp could not open {info.path.name}"
                     f"{' (it crashed)' if proc.returncode < 0 else ''}. Choose another .gguf model.")
