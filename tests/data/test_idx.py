import gzip
import struct

import numpy as np
import pytest

from chainrule.data import parse_idx, read_idx, write_idx


def test_parse_hand_written_uint8_idx():
    data = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2, 2, 3) + bytes(range(12))
    array = parse_idx(data)
    assert array.dtype == np.uint8
    assert array.shape == (2, 2, 3)
    assert array[1, 0, 2] == 8
    assert array.flags.writeable


def test_parse_big_endian_int16_to_native_values():
    values = np.array([-2, 300, 7], dtype=">i2")
    data = bytes([0, 0, 0x0B, 1]) + struct.pack(">I", 3) + values.tobytes()
    array = parse_idx(data)
    assert array.dtype == np.dtype("int16").newbyteorder("=")
    np.testing.assert_array_equal(array, [-2, 300, 7])


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_write_read_roundtrip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal((3, 4, 5)) * 50).astype(dtype)
    path = tmp_path / f"a-idx3-ubyte{suffix}"
    write_idx(array, path)
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == (suffix == ".gz")
    back = read_idx(path)
    assert back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


def test_gzip_detected_from_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.uint8)
    path = tmp_path / "labels"  # no .gz suffix
    write_idx(array, path, compress=True)
    np.testing.assert_array_equal(read_idx(path), array)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "not an IDX file"),
        (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x02\x00\x00", "truncated IDX header"),
        (b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"\x00\x01", "announces shape (5,)"),
    ],
)
def test_parse_rejects_malformed_files(data, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_idx(data, source="bad.idx")


def test_read_rejects_truncated_gzip_naming_the_file(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + struct.pack(">I", 100) + bytes(100))[:30])
    with pytest.raises(ValueError, match="broken.gz"):
        read_idx(path)


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match="no IDX type code"):
        write_idx(np.zeros(3, dtype=np.uint16), tmp_path / "x")
