"""Tensors in checkpoints: which ones can be stored, their bytes, and the safetensors file.

The tensors file is written here, straight from the tensors' memory (no copy of the whole file
is built), in the safetensors layout: an 8-byte little-endian header length, a JSON header
padded with spaces to a multiple of 8 bytes, then every tensor's bytes, largest elements first
so each stays aligned. It is read back in ``_tensors_file``, its layout checked by the
``safetensors`` library.
"""

from __future__ import annotations

import json
import struct
import sys
from collections.abc import Iterable
from typing import Any

import numpy.typing as npt
import torch
from torch import Tensor

# Every dtype the safetensors format has a code for, by torch's name for it.
SAFETENSORS_CODES: dict[torch.dtype, str] = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint64: "U64",
    torch.uint32: "U32",
    torch.uint16: "U16",
    torch.uint8: "U8",
    torch.bool: "BOOL",
    torch.complex64: "C64",
    torch.float8_e4m3fn: "F8_E4M3",
    torch.float8_e5m2: "F8_E5M2",
    torch.float8_e4m3fnuz: "F8_E4M3FNUZ",
    torch.float8_e5m2fnuz: "F8_E5M2FNUZ",
}

DTYPES_BY_NAME: dict[str, torch.dtype] = {
    str(dtype).removeprefix("torch."): dtype for dtype in SAFETENSORS_CODES
}
"""The dtypes a checkpoint may hold, by the name the manifest gives them (``"float32"``)."""


def dtype_name(dtype: torch.dtype) -> str:
    """The manifest's name for ``dtype``.

    Example:
        >>> dtype_name(torch.bfloat16)
        'bfloat16'
    """
    return str(dtype).removeprefix("torch.")


def storable(leaf: Tensor) -> str | None:
    """Why ``leaf`` cannot be stored as it is, with the fix; None when it can.

    Example:
        >>> storable(torch.zeros(2)) is None
        True
        >>> print(storable(torch.zeros(2, dtype=torch.complex128)))
        a complex128 tensor, which the safetensors format cannot hold: store torch.view_as_real(t)
    """
    if type(leaf) is not Tensor:
        return (
            f"a {type(leaf).__module__}.{type(leaf).__qualname__} (a subclass of torch.Tensor): "
            "store the plain tensor, t.detach()"
        )
    if leaf.layout != torch.strided:
        return f"a tensor with layout {leaf.layout}: store a dense tensor, t.to_dense()"
    if leaf.is_quantized:
        return "a quantized tensor: store t.dequantize() and its quantization parameters"
    if leaf.is_meta:
        return "a tensor on the meta device, which holds no data: store a real tensor"
    if leaf.dtype not in SAFETENSORS_CODES:
        fix = "torch.view_as_real(t)" if leaf.dtype.is_complex else "t.to(a supported dtype)"
        return (
            f"a {dtype_name(leaf.dtype)} tensor, which the safetensors format cannot hold: "
            f"store {fix}"
        )
    return None


def plain(leaf: Tensor) -> Tensor:
    """``leaf``'s numbers as a contiguous CPU tensor without autograd history (a copy only when
    needed); ``leaf`` must be `storable`.

    Example:
        >>> t = torch.arange(6.0).reshape(2, 3).T
        >>> plain(t).is_contiguous(), torch.equal(plain(t), t)
        (True, True)
    """
    leaf = leaf.detach()
    if leaf.device.type != "cpu":
        leaf = leaf.cpu()
    if leaf.is_conj():
        leaf = leaf.resolve_conj()
    if leaf.is_neg():
        leaf = leaf.resolve_neg()
    return leaf.contiguous()


def raw_bytes(leaf: Tensor) -> memoryview:
    """The bytes of a `plain` tensor in little-endian order, without copying them on a
    little-endian machine.

    Example:
        >>> bytes(raw_bytes(torch.tensor([1, 256], dtype=torch.int16)))
        b'\\x01\\x00\\x00\\x01'
    """
    if sys.byteorder == "little" or leaf.element_size() == 1:
        return leaf.reshape(-1).view(torch.uint8).numpy().data
    return numbers_as_ints(leaf).byteswap().view("u1").data


def numbers_as_ints(leaf: Tensor) -> npt.NDArray[Any]:
    """The numbers of a contiguous ``leaf`` (each part of a complex number on its own) as
    unsigned integers of their size, sharing its memory: what a byte swap reverses.

    Example:
        >>> numbers_as_ints(torch.tensor([1j], dtype=torch.complex64)).tolist()
        [0, 1065353216]
    """
    unit = leaf.element_size() // (2 if leaf.dtype.is_complex else 1)
    same_size = {1: torch.uint8, 2: torch.uint16, 4: torch.uint32, 8: torch.uint64}[unit]
    return leaf.reshape(-1).view(same_size).numpy()


def safetensors_parts(tensors: Iterable[tuple[str, Tensor]]) -> list[bytes | memoryview]:
    """The safetensors file holding ``tensors`` (each `plain`, keys unique), as the parts to
    write one after another: the header, then each tensor's bytes.

    Example:
        >>> from safetensors.torch import load
        >>> parts = safetensors_parts([("b", torch.ones(2)), ("a", torch.tensor(True))])
        >>> sorted(load(b"".join(parts)).items())
        [('a', tensor(True)), ('b', tensor([1., 1.]))]
    """
    ordered = sorted(tensors, key=lambda item: (-item[1].element_size(), item[0]))
    header: dict[str, object] = {}
    data: list[bytes | memoryview] = []
    offset = 0
    for key, leaf in ordered:
        chunk = raw_bytes(leaf)
        end = offset + chunk.nbytes
        shape = list(leaf.shape)
        header[key] = {
            "dtype": SAFETENSORS_CODES[leaf.dtype],
            "shape": shape,
            "data_offsets": [offset, end],
        }
        data.append(chunk)
        offset = end
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return [struct.pack("<Q", len(text)) + text, *data]
