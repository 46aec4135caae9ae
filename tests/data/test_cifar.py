"""CIFAR-10: restricted unpickling of Python 2 batches, archive and folder reading."""

import dataclasses
import hashlib
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest

from chainrule.data import (
    ChecksumError,
    DatasetNotFoundError,
    load_dataset,
    read_cifar_batch,
    restricted_loads,
    sources,
)
from chainrule.data.remote import FileSpec

BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


class Py2Pickler(pickle._Pickler):
    """Writes ``bytes`` the way Python 2 wrote ``str`` (BINSTRING), like CIFAR's files."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def py2_pickle(obj, numpy1_names=False) -> bytes:
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    data = buffer.getvalue()
    if numpy1_names:  # the name NumPy 1.x (and so the real CIFAR files) use
        data = data.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")
    return data


def pixel(n, row, col, channel):
    return (n * 7 + row * 3 + col * 5 + channel * 11) % 256


def make_batch(first, count, label_offset, **kwargs) -> bytes:
    n, c, r, k = np.meshgrid(np.arange(first, first + count), np.arange(3), np.arange(32),
                             np.arange(32), indexing="ij")  # fmt: skip
    data = pixel(n, r, k, c).astype(np.uint8).reshape(count, 3072)  # channel-major rows
    labels = [int((first + i + label_offset) % 10) for i in range(count)]
    batch = {b"batch_label": b"synthetic", b"labels": labels, b"data": data,
             b"filenames": [b"x.png"] * count}  # fmt: skip
    return py2_pickle(batch, **kwargs)


def make_members(**kwargs):
    members = {name: make_batch(4 * i, 4 if name != "test_batch" else 3, 0, **kwargs)
               for i, name in enumerate(BATCHES)}  # fmt: skip
    members["batches.meta"] = py2_pickle(
        {b"label_names": [c.encode() for c in CLASSES], b"num_vis": 3072}
    )
    return members


def write_archive(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def inject_archive(monkeypatch, path):
    spec = dataclasses.replace(
        sources.REMOTE_DATASETS["cifar10"],
        files={"archive": FileSpec("cifar-10-python.tar.gz",
                                   sha256=(hashlib.sha256(path.read_bytes()).hexdigest(),))},
    )  # fmt: skip
    monkeypatch.setitem(sources.REMOTE_DATASETS, "cifar10", spec)


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def check_dataset(ds):
    assert ds.name == "cifar10"
    assert ds.X_train.shape == (20, 32, 32, 3) and ds.X_train.dtype == np.uint8
    assert ds.X_test.shape == (3, 32, 32, 3)
    assert ds.image_shape == (32, 32, 3)
    assert ds.classes == CLASSES
    np.testing.assert_array_equal(ds.y_train, np.arange(20) % 10)
    # channel-major rows became channels-last images: X[n, row, col, c]
    assert ds.X_train[13, 2, 9, 1] == pixel(13, 2, 9, 1)
    assert ds.X_test[2, 31, 0, 2] == pixel(22, 31, 0, 2)


@pytest.mark.parametrize("numpy1_names", [False, True])
def test_read_py2_batch(numpy1_names):
    X, y = read_cifar_batch(make_batch(0, 5, 3, numpy1_names=numpy1_names))
    assert X.shape == (5, 32, 32, 3) and X.dtype == np.uint8 and X.flags.c_contiguous
    np.testing.assert_array_equal(y, [3, 4, 5, 6, 7])
    assert X[4, 10, 20, 2] == pixel(4, 10, 20, 2)


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_restricted_unpickler_refuses_code_execution(tmp_path, protocol):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"data": Evil(marker)}, protocol=protocol)
    with pytest.raises(ValueError, match=r"refusing to load global '(posix|os|nt)\.system'"):
        restricted_loads(payload, source="evil")
    assert not marker.exists()


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(eval, protocol=2),
        b"cbuiltins\nexec\n(S'import os'\ntR.",
        pickle.dumps(np.arange(3), protocol=5),  # protocol 5 arrays use _frombuffer
        pickle.dumps(__import__("collections").OrderedDict(), protocol=2),
    ],
)
def test_restricted_unpickler_allows_only_the_numpy_array_globals(payload):
    with pytest.raises(ValueError, match="refusing to load global"):
        restricted_loads(payload)


@pytest.mark.parametrize(
    ("payload", "match"),
    [(b"\x80\x02garbage", "src: pickle data was truncated"),
     (b"", r"src: malformed pickle \(EOFError")],
)  # fmt: skip
def test_restricted_unpickler_errors_on_garbage(payload, match):
    with pytest.raises(ValueError, match=match):
        restricted_loads(payload, source="src")


def test_load_archive(monkeypatch, tmp_path):
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz", make_members())
    inject_archive(monkeypatch, archive)
    check_dataset(load_dataset("cifar10", data_dir=tmp_path, download=False))


def test_archive_checksum_is_verified_before_unpickling(monkeypatch, tmp_path):
    marker = tmp_path / "pwned"
    good = write_archive(tmp_path / "good.tar.gz", make_members())
    inject_archive(monkeypatch, good)
    members = make_members()
    members["data_batch_1"] = pickle.dumps(Evil(marker), protocol=2)
    (tmp_path / "data").mkdir()
    write_archive(tmp_path / "data" / "cifar-10-python.tar.gz", members)
    with pytest.raises(ChecksumError, match="cifar-10-python.tar.gz"):
        load_dataset("cifar10", data_dir=tmp_path / "data", download=False)
    assert not marker.exists()


def test_malicious_archive_with_matching_hash_is_still_refused(monkeypatch, tmp_path):
    marker = tmp_path / "pwned"
    members = make_members()
    members["data_batch_3"] = pickle.dumps({"data": Evil(marker)}, protocol=2)
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz", members)
    inject_archive(monkeypatch, archive)
    with pytest.raises(ValueError, match="data_batch_3: refusing to load global"):
        load_dataset("cifar10", data_dir=tmp_path, download=False)
    assert not marker.exists()


def test_extracted_folder_verified_by_md5(monkeypatch, tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    members = make_members()
    for name, data in members.items():
        (folder / name).write_bytes(data)
    specs = tuple(FileSpec(name, md5=(hashlib.md5(data).hexdigest(),))
                  for name, data in members.items())  # fmt: skip
    monkeypatch.setattr(sources, "CIFAR10_BATCH_SPECS", specs)
    check_dataset(load_dataset("cifar10", data_dir=tmp_path, download=False))
    (folder / "test_batch").write_bytes(make_batch(0, 3, 1))
    with pytest.raises(ChecksumError, match="test_batch"):
        load_dataset("cifar10", data_dir=tmp_path, download=False)


def test_download_archive_from_mirror(monkeypatch, tmp_path, http_server):
    archive = write_archive(http_server.root / "cifar-10-python.tar.gz", make_members())
    inject_archive(monkeypatch, archive)
    check_dataset(load_dataset("cifar10", data_dir=tmp_path / "d", mirror=http_server.url))
    assert http_server.requests == ["/cifar-10-python.tar.gz"]
    assert (tmp_path / "d" / "cifar10" / "cifar-10-python.tar.gz").is_file()


def test_missing_cifar_mentions_archive_and_folder(tmp_path):
    with pytest.raises(
        DatasetNotFoundError, match=r"cifar-10-python\.tar\.gz.*cifar-10-batches-py"
    ):
        load_dataset("cifar10", data_dir=tmp_path, download=False)


def test_archive_missing_batches_is_a_clear_error(monkeypatch, tmp_path):
    members = make_members()
    del members["data_batch_4"]
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz", members)
    inject_archive(monkeypatch, archive)
    with pytest.raises(ValueError, match=r"missing CIFAR-10 batches \['data_batch_4'\]"):
        load_dataset("cifar10", data_dir=tmp_path, download=False)
