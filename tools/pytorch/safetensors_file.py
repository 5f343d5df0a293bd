"""Reading and writing the safetensors format, from its specification, with torch tensors.

Layout of a file (https://github.com/huggingface/safetensors, as autograd/serialize/safetensors.h):
  8 bytes   N, the header length, a little-endian u64
  N bytes   a JSON object: {"__metadata__": {"key": "value", ...},
                            "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
            padded with trailing spaces so that the data starts 8-byte aligned
  the rest  the data buffer: each tensor row-major and little-endian at [begin, end) of the buffer

Every problem raises SafetensorsError naming the file and the tensor or field: "FILE: tensor 'x': ...".
"""
import json
import os
import struct
import sys
import tempfile

import torch

# The reader's limits, as tapegrad's (docs/reliability.md).
MAX_HEADER_BYTES = 100 << 20
MAX_FILE_BYTES = 64 << 30
MAX_RANK = 64

# safetensors dtype name -> (bytes per element, torch dtype)
DTYPES = {
    "F64": (8, torch.float64), "F32": (4, torch.float32), "F16": (2, torch.float16), "BF16": (2, torch.bfloat16),
    "I64": (8, torch.int64), "I32": (4, torch.int32), "I16": (2, torch.int16), "I8": (1, torch.int8),
    "U8": (1, torch.uint8), "BOOL": (1, torch.bool),
}
# What tapegrad writes and reads as itself; a writer of files tapegrad loads uses only these.
WRITABLE = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}


class SafetensorsError(Exception):
    pass


class SafetensorsFile:
    """What a safetensors file holds: its metadata (str -> str) and its tensors, materialised on request."""

    def __init__(self, path, metadata, entries, data):
        self.path = str(path)
        self.metadata = metadata  # dict str -> str
        self._entries = entries   # name -> (dtype name, shape, begin, end), in header order
        self._data = data         # the data buffer (bytes)

    def names(self):
        return list(self._entries)

    def dtype_name(self, name):
        return self._entries[name][0]

    def shape(self, name):
        return list(self._entries[name][1])

    def tensor(self, name):
        """A fresh torch tensor (it owns its memory) of the stored values."""
        if name not in self._entries:
            raise SafetensorsError(f"{self.path}: no tensor '{name}'")
        dtype_name, shape, begin, end = self._entries[name]
        size, dtype = DTYPES[dtype_name]
        if begin == end:
            return torch.empty(shape, dtype=dtype)
        values = torch.frombuffer(bytearray(self._data[begin:end]), dtype=dtype)
        return values.reshape(shape)


def _fail(path, problem):
    raise SafetensorsError(f"{path}: {problem}")


def read_safetensors(path):
    """Parses and validates the file at `path` (a regular file of at most MAX_FILE_BYTES)."""
    if sys.byteorder != "little":
        _fail(path, "this reader needs a little-endian machine (the format stores little-endian values)")
    if not os.path.isfile(path):
        _fail(path, "not a regular file" if os.path.exists(path) else "no such file")
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        _fail(path, f"{size} bytes, more than the limit of {MAX_FILE_BYTES}")
    with open(path, "rb") as file:
        raw = file.read()
    if len(raw) < 8:
        _fail(path, f"{len(raw)} bytes: too short for the 8-byte header length")
    (header_length,) = struct.unpack("<Q", raw[:8])
    if header_length > MAX_HEADER_BYTES:
        _fail(path, f"header length {header_length} is more than the limit of {MAX_HEADER_BYTES}")
    if 8 + header_length > len(raw):
        _fail(path, f"header length {header_length} runs past the end of the file ({len(raw)} bytes)")
    try:
        header = json.loads(raw[8:8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _fail(path, f"the header is not valid JSON: {error}")
    if not isinstance(header, dict):
        _fail(path, "the header is not a JSON object")
    data = raw[8 + header_length:]
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        _fail(path, "\"__metadata__\" must be an object of strings")
    entries = {}
    for name, entry in header.items():
        where = f"tensor '{name}'"
        if not isinstance(entry, dict):
            _fail(path, f"{where}: expected an object with dtype, shape and data_offsets")
        dtype_name = entry.get("dtype")
        if dtype_name not in DTYPES:
            _fail(path, f"{where}: unknown dtype {json.dumps(dtype_name)} (known: {', '.join(DTYPES)})")
        shape = entry.get("shape")
        if (not isinstance(shape, list) or len(shape) > MAX_RANK
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
            _fail(path, f"{where}: shape must be a list of at most {MAX_RANK} non-negative integers, got {shape!r}")
        offsets = entry.get("data_offsets")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in offsets)):
            _fail(path, f"{where}: data_offsets must be [begin, end], got {offsets!r}")
        begin, end = offsets
        if not 0 <= begin <= end <= len(data):
            _fail(path, f"{where}: data_offsets [{begin}, {end}] are not within the data buffer of {len(data)} bytes")
        numel = 1
        for n in shape:
            numel *= n
        expected = numel * DTYPES[dtype_name][0]
        if end - begin != expected:
            _fail(path, f"{where}: data_offsets [{begin}, {end}] hold {end - begin} bytes, but dtype {dtype_name} "
                        f"and shape {shape} need {expected}")
        entries[name] = (dtype_name, shape, begin, end)
    spans = sorted((begin, end, name) for name, (_, _, begin, end) in entries.items() if end > begin)
    for (_, end_a, name_a), (begin_b, _, name_b) in zip(spans, spans[1:]):
        if begin_b < end_a:
            _fail(path, f"tensors '{name_a}' and '{name_b}' overlap in the data buffer")
    return SafetensorsFile(path, metadata, entries, data)


def encode_safetensors(tensors, metadata):
    """The bytes of a file holding `tensors` (a list of (name, tensor): F32, F64, I64 or BOOL, written in that
    order) and `metadata` (str -> str)."""
    header = {"__metadata__": dict(metadata)} if metadata else {}
    chunks, offset = [], 0
    for name, tensor in tensors:
        if not name or name == "__metadata__" or name in header:
            raise SafetensorsError(f"tensor name {name!r} is empty, reserved or repeated")
        if tensor.dtype not in WRITABLE:
            raise SafetensorsError(f"tensor '{name}': dtype {tensor.dtype} is not one tapegrad reads "
                                   f"(convert it to one of {', '.join(str(d) for d in WRITABLE)})")
        # .numpy() (torch's own bridge) gives the row-major bytes of a contiguous CPU tensor.
        values = tensor.detach().to("cpu").contiguous().numpy().tobytes()
        header[name] = {"dtype": WRITABLE[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(values)]}
        chunks.append(values)
        offset += len(values)
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # trailing spaces are valid JSON; the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_file_atomically(path, data):
    """Writes `data` (bytes) to a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs the
    directory: a crash mid-write leaves the old file (or none), never a torn one. Permissions follow the umask."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)  # mkstemp makes the file 0600; give it the permissions open() would
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    # The rename itself made durable, as base/atomic_file.h does.
    directory_descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_descriptor)
    finally:
        os.close(directory_descriptor)


def write_safetensors(path, tensors, metadata):
    write_file_atomically(path, encode_safetensors(tensors, metadata))
