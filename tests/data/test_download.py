"""Finding, verifying and downloading files, against a local HTTP server (never the network)."""

import dataclasses
import gzip
import hashlib
import re

import numpy as np
import pytest

from chainrule.data import ChecksumError, DatasetNotFoundError, load_dataset, sources, write_idx
from chainrule.data.remote import FileSpec, download_file, ensure_files

from .conftest import sha256_of

NAMES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def _synthetic_arrays(offset=0):
    rng = np.random.default_rng(offset)
    return {
        "train_images": rng.integers(0, 256, (12, 5, 4), dtype=np.uint8),
        "train_labels": (np.arange(12) % 3 + offset).astype(np.uint8) % 3,
        "test_images": rng.integers(0, 256, (6, 5, 4), dtype=np.uint8),
        "test_labels": (np.arange(6) % 3).astype(np.uint8),
    }


def _write_files(folder, offset=0):
    folder.mkdir(parents=True, exist_ok=True)
    arrays = _synthetic_arrays(offset)
    for role, name in NAMES.items():
        write_idx(arrays[role], folder / name)
    return arrays


def _inject(monkeypatch, *folders, dataset="mnist", extra_dirs=()):
    """Make `dataset` accept exactly the files written in `folders` (their SHA-256)."""
    files = {
        role: FileSpec(name, sha256=tuple(sha256_of(f / name) for f in folders))
        for role, name in NAMES.items()
    }
    spec = dataclasses.replace(
        sources.REMOTE_DATASETS[dataset], files=files, extra_dirs=tuple(map(str, extra_dirs))
    )
    monkeypatch.setitem(sources.REMOTE_DATASETS, dataset, spec)
    return files


def _assert_matches(ds, arrays):
    np.testing.assert_array_equal(ds.X_train, arrays["train_images"])
    np.testing.assert_array_equal(ds.y_train, arrays["train_labels"])
    np.testing.assert_array_equal(ds.X_test, arrays["test_images"])
    assert ds.y_test.dtype == np.int64


def test_download_from_mirror_verifies_and_caches(monkeypatch, tmp_path, http_server):
    arrays = _write_files(http_server.root)
    _inject(monkeypatch, http_server.root)
    data_dir = tmp_path / "data"
    ds = load_dataset("mnist", data_dir=data_dir, mirror=http_server.url)
    _assert_matches(ds, arrays)
    assert sorted(http_server.requests) == sorted(f"/{n}" for n in NAMES.values())
    assert sorted(p.name for p in (data_dir / "mnist").iterdir()) == sorted(NAMES.values())
    # second load: from disk, no request, works without download
    again = load_dataset("mnist", data_dir=data_dir, download=False)
    _assert_matches(again, arrays)
    assert len(http_server.requests) == 4


def test_env_mirror_and_env_data_dir(monkeypatch, tmp_path, http_server):
    arrays = _write_files(http_server.root / "mnist")
    _inject(monkeypatch, http_server.root / "mnist")
    monkeypatch.setenv("CHAINRULE_MIRROR", http_server.url.rstrip("/"))
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "env-data"))
    _assert_matches(load_dataset("mnist"), arrays)
    assert sorted(http_server.requests)[0] == "/mnist/t10k-images-idx3-ubyte.gz"
    assert (tmp_path / "env-data" / "mnist" / NAMES["train_images"]).is_file()


def test_default_download_goes_to_the_cache(monkeypatch, http_server, isolated_data_env):
    _write_files(http_server.root)
    _inject(monkeypatch, http_server.root)
    load_dataset("mnist", mirror=http_server.url)
    assert sorted(p.name for p in (isolated_data_env / "mnist").iterdir()) == sorted(NAMES.values())


def test_corrupted_download_is_rejected_and_leaves_nothing(monkeypatch, tmp_path, http_server):
    good = tmp_path / "good"
    _write_files(good)
    _inject(monkeypatch, good)
    _write_files(http_server.root, offset=1)  # different bytes on the server
    data_dir = tmp_path / "data"
    with pytest.raises(ChecksumError, match=r"checksum mismatch for .* \(downloaded from http://"):
        load_dataset("mnist", data_dir=data_dir, mirror=http_server.url)
    assert list((data_dir / "mnist").iterdir()) == []  # no file, no .part left behind


def test_truncated_download_is_rejected(tmp_path, http_server):
    payload = gzip.compress(bytes(1000), mtime=0)
    (http_server.root / "f.gz").write_bytes(payload[:-10])
    spec = FileSpec("f.gz", sha256=(hashlib.sha256(payload).hexdigest(),))
    with pytest.raises(ChecksumError, match="checksum mismatch for f.gz"):
        download_file(http_server.url + "f.gz", tmp_path / "out" / "f.gz", spec)
    assert list((tmp_path / "out").iterdir()) == []


def test_unreachable_mirror_gives_one_clear_error(monkeypatch, tmp_path, closed_port_url):
    _write_files(tmp_path / "real")
    _inject(monkeypatch, tmp_path / "real")
    data_dir = tmp_path / "data"
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("mnist", data_dir=data_dir, mirror=closed_port_url)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert "dataset 'mnist' not found" in message
    assert all(name in message for name in NAMES.values())
    assert f"downloading {closed_port_url}" in message and "failed" in message
    assert f"put them into {data_dir / 'mnist'}" in message
    assert not any((data_dir / "mnist").iterdir())


def test_http_404_is_reported_as_not_found(monkeypatch, tmp_path, http_server):
    _write_files(tmp_path / "real")
    _inject(monkeypatch, tmp_path / "real")
    with pytest.raises(DatasetNotFoundError, match="404"):
        load_dataset("mnist", data_dir=tmp_path / "data", mirror=http_server.url)


def test_download_false_never_connects(monkeypatch, tmp_path, http_server):
    _write_files(http_server.root)
    _inject(monkeypatch, http_server.root)
    with pytest.raises(DatasetNotFoundError, match=r"download=False.*put them into"):
        load_dataset("mnist", data_dir=tmp_path / "data", download=False, mirror=http_server.url)
    assert http_server.requests == []


def test_search_order_data_dir_then_env_then_cache_then_system(
    monkeypatch, tmp_path, isolated_data_env
):
    folders = {
        "data_dir": tmp_path / "explicit",
        "env": tmp_path / "env" / "mnist",
        "cache": isolated_data_env / "mnist",
        "system": tmp_path / "usr-share",
    }
    written = {key: _write_files(folder, offset=i) for i, (key, folder) in
               enumerate(folders.items())}  # fmt: skip
    _inject(monkeypatch, *folders.values(), extra_dirs=[folders["system"]])
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "env"))
    _assert_matches(load_dataset("mnist", data_dir=folders["data_dir"], download=False),
                    written["data_dir"])  # fmt: skip
    _assert_matches(load_dataset("mnist", download=False), written["env"])
    monkeypatch.delenv("CHAINRULE_DATA")
    _assert_matches(load_dataset("mnist", download=False), written["cache"])
    for path in folders["cache"].iterdir():
        path.unlink()
    _assert_matches(load_dataset("mnist", download=False), written["system"])


def test_data_dir_subfolder_per_dataset_is_searched(monkeypatch, tmp_path):
    arrays = _write_files(tmp_path / "root" / "mnist")
    _inject(monkeypatch, tmp_path / "root" / "mnist")
    _assert_matches(load_dataset("mnist", data_dir=tmp_path / "root", download=False), arrays)


def test_corrupted_file_on_disk_is_reported_not_replaced(monkeypatch, tmp_path, http_server):
    _write_files(http_server.root)
    _inject(monkeypatch, http_server.root)
    data_dir = tmp_path / "data"
    _write_files(data_dir, offset=2)
    with pytest.raises(ChecksumError, match=re.escape(str(data_dir / NAMES["train_images"]))):
        load_dataset("mnist", data_dir=data_dir, mirror=http_server.url)
    assert http_server.requests == []


def test_recompressed_copy_accepted_by_payload_hash_and_md5(tmp_path):
    content = bytes(range(256)) * 10
    official = gzip.compress(content, mtime=1)
    recompressed = gzip.compress(content, mtime=2, compresslevel=1)
    assert official != recompressed
    spec = FileSpec(
        "x.gz",
        sha256=(hashlib.sha256(official).hexdigest(),),
        payload_sha256=(hashlib.sha256(content).hexdigest(),),
    )
    (tmp_path / "x.gz").write_bytes(recompressed)
    paths = ensure_files("toy", [spec], official_url="http://unused/", data_dir=tmp_path,
                         download=False)  # fmt: skip
    assert paths["x.gz"] == tmp_path / "x.gz"
    (tmp_path / "x.gz").write_bytes(gzip.compress(content + b"!", mtime=1))
    with pytest.raises(ChecksumError):
        ensure_files("toy", [spec], official_url="http://unused/", data_dir=tmp_path,
                     download=False)  # fmt: skip
    md5_spec = FileSpec("x.gz", md5=(hashlib.md5(official).hexdigest(),))
    (tmp_path / "x.gz").write_bytes(official)
    ensure_files("toy", [md5_spec], official_url="http://unused/", data_dir=tmp_path,
                 download=False)  # fmt: skip


def test_official_checksums_are_well_formed():
    for dataset in sources.REMOTE_DATASETS.values():
        assert dataset.url.startswith(("http://", "https://")) and dataset.url.endswith("/")
        for spec in dataset.files.values():
            assert spec.sha256, f"{dataset.name}/{spec.name} has no SHA-256"
            for digest in spec.sha256 + spec.payload_sha256:
                assert re.fullmatch(r"[0-9a-f]{64}", digest)
            for digest in spec.md5:
                assert re.fullmatch(r"[0-9a-f]{32}", digest)
    assert sources.REMOTE_DATASETS["cifar10"].files["archive"].name == "cifar-10-python.tar.gz"
