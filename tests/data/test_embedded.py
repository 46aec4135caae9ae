import ast
import gzip
import hashlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import chainrule.data as data
from chainrule.data import ChecksumError, load_dataset, load_fashion_mnist_mini, parse_idx
from chainrule.data import named as named_module

EMBEDDED = Path(data.__file__).parent / "embedded"
FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip


@pytest.fixture(scope="module")
def mini():
    return load_fashion_mnist_mini()


def test_shapes_dtypes_and_classes(mini):
    assert mini.name == "fashion-mnist-mini"
    assert mini.X_train.shape == (8000, 28, 28) and mini.X_train.dtype == np.uint8
    assert mini.X_test.shape == (2000, 28, 28) and mini.X_test.dtype == np.uint8
    assert mini.y_train.dtype == np.int64 and mini.y_test.dtype == np.int64
    assert mini.image_shape == (28, 28)
    assert mini.classes == FASHION_CLASSES
    assert mini.n_classes == 10


def test_split_is_stratified_800_200(mini):
    np.testing.assert_array_equal(mini.class_counts("train"), [800] * 10)
    np.testing.assert_array_equal(mini.class_counts("test"), [200] * 10)


def test_split_is_pinned(mini):
    # The published split: changing the seed or the algorithm must fail this test.
    assert mini.y_train[:20].tolist() == [
        2,
        5,
        7,
        3,
        2,
        3,
        1,
        2,
        9,
        2,
        6,
        0,
        3,
        4,
        7,
        1,
        1,
        1,
        7,
        5,
    ]
    assert mini.y_test[:20].tolist() == [0, 6, 5, 4, 1, 4, 6, 4, 8, 6, 4, 9, 1, 6, 6, 5, 0, 9, 4, 6]
    assert int(mini.X_train[0].sum()) == 28602
    assert int(mini.X_test[0].sum()) == 55187
    digest = hashlib.sha256(mini.y_train.tobytes()).hexdigest()
    assert digest == "4f5f370995f62c0dd5fa8a4d9b3721ef329b9db432b140eabd7acd421f9bdbc9"


def test_split_is_deterministic(mini):
    again = load_dataset("fashion-mnist-mini")
    np.testing.assert_array_equal(again.X_train, mini.X_train)
    np.testing.assert_array_equal(again.y_test, mini.y_test)


def test_split_partitions_the_10000_test_images(mini):
    X = parse_idx(gzip.decompress((EMBEDDED / "t10k-images-idx3-ubyte.gz").read_bytes()))
    y = parse_idx(gzip.decompress((EMBEDDED / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    original = Counter(zip((row.tobytes() for row in X), y.tolist(), strict=True))
    split = Counter(
        zip(
            (row.tobytes() for row in np.concatenate([mini.X_train, mini.X_test])),
            np.concatenate([mini.y_train, mini.y_test]).tolist(),
            strict=True,
        )
    )
    assert split == original


def test_shipped_files_match_readme_and_license():
    readme = (EMBEDDED / "README.md").read_text()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        digest = hashlib.sha256((EMBEDDED / name).read_bytes()).hexdigest()
        assert digest in readme
        assert digest == dict(named_module.MINI_FILES.values())[name]
    license_text = (EMBEDDED / "LICENSE-fashion-mnist.txt").read_text()
    assert "Copyright (c) 2017 Zalando SE" in license_text and "MIT License" in license_text
    big = [p.name for p in EMBEDDED.iterdir() if p.stat().st_size > 10_000]
    assert sorted(big) == ["t10k-images-idx3-ubyte.gz"]


def test_corrupted_install_raises_checksum_error(monkeypatch):
    name, _ = named_module.MINI_FILES["labels"]
    monkeypatch.setitem(named_module.MINI_FILES, "labels", (name, "0" * 64))
    with pytest.raises(ChecksumError, match=re.escape(name) + ".*reinstall"):
        load_fashion_mnist_mini()


def test_import_is_light_and_self_contained():
    code = (
        "import sys, chainrule.data;"
        "print(sorted(m for m in ('PIL', 'urllib.request', 'tarfile', 'http.client')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    # chainrule.data depends on NumPy only: no import of sibling subpackages
    for source in Path(data.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, (source, node.module)
                assert node.level == 1 or not (node.module or "").startswith("chainrule"), source
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("chainrule") for a in node.names), source
