"""Reader for the IDX format of MNIST and Fashion-MNIST (optionally gzipped).

An IDX file is a 4-byte magic number -- two zero bytes, a type code, the number of dimensions
``ndim`` -- followed by ``ndim`` big-endian uint32 sizes and the data in C order, big-endian.
"""

from __future__ import annotations

import gzip
import os
import struct

import numpy as np

__all__ = ["parse_idx", "read_idx", "write_idx"]

# IDX type code -> big-endian dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT")
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file.

    Parameters
    ----------
    data : bytes
        File content.
    source : str
        Name used in error messages.

    Returns
    -------
    ndarray of shape given by the header
        In native byte order, writable (e.g. uint8 of shape (n, 28, 28) for MNIST images).

    Raises
    ------
    ValueError
        If the header is malformed or the size does not match the header.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{source}: not an IDX file (expected magic 0x0000, got {data[:4]!r})")
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_DTYPES:
        raise ValueError(
            f"{source}: unknown IDX type code 0x{type_code:02x}, expected one of "
            f"{', '.join(f'0x{c:02x}' for c in _IDX_DTYPES)}"
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(f"{source}: truncated IDX header ({len(data)} bytes)")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    dtype = _IDX_DTYPES[type_code]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"{source}: IDX header announces shape {shape} ({expected} bytes in all), "
            f"but the file has {len(data)} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # native order, and a writable copy


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzipped or not (detected from the content, not the name)."""
    with open(path, "rb") as stream:
        data = stream.read()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{os.fspath(path)}: corrupted gzip data ({exc})") from exc
    return parse_idx(data, source=os.fspath(path))


def write_idx(array: np.ndarray, path: str | os.PathLike, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file (gzipped if ``compress``, default: name ends in ``.gz``).

    Used to export data and to build small test fixtures; the write is atomic.
    """
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in _IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise TypeError(f"write_idx: array dtype {array.dtype} has no IDX type code")
    if array.ndim > 255:
        raise ValueError(f"write_idx: at most 255 dimensions, got {array.ndim}")
    code = codes[native]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + np.ascontiguousarray(array, dtype=_IDX_DTYPES[code]).tobytes()
    if compress is None:
        compress = os.fspath(path).endswith(".gz")
    if compress:
        data = gzip.compress(data, mtime=0)
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "wb") as stream:
        stream.write(data)
    os.replace(tmp, path)
