"""numpy arrays as builtins, so that start-up work holding them can be kept by `StartupWork` (marshal).

A built structure is turned into builtins and back even when nothing is kept, so a start that reads it
from an earlier one and a start that builds it afresh hold the very same arrays (read-only, as nothing
may change them after start-up).
"""
from __future__ import annotations

import numpy as np

Packed = tuple[str, bytes]   # (dtype, the array's bytes)


def pack(array: np.ndarray) -> Packed:
    return array.dtype.str, np.ascontiguousarray(array).tobytes()


def unpack(packed: Packed) -> np.ndarray:
    dtype, data = packed
    return np.frombuffer(data, dtype=np.dtype(dtype))


def is_packed(value: object, length: int | None = None) -> bool:
    """The shape a kept array must have: (dtype, bytes) of whole items, `length` of them when given."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], bytes)):
        return False
    try:
        size = np.dtype(value[0]).itemsize
    except TypeError:
        return False
    return size > 0 and len(value[1]) % size == 0 and (length is None or len(value[1]) == length * size)
