"""chainrule.io: models and arrays on disk (safetensors + JSON, atomic, validated)."""

import json
import os

import numpy as np
import pytest

from chainrule import io, nn


def _all_layers_model(dtype=np.float32):
    rng = np.random.default_rng(0)
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(6, 8, rng=rng, dtype=dtype),
        nn.ReLU(),
        nn.Dropout(0.3, rng=1),
        nn.Maxout(8, 5, pieces=3, rng=rng, dtype=dtype),
        nn.LeakyReLU(0.2),
        nn.Sequential(nn.Linear(5, 4, bias=False, rng=rng, dtype=dtype), nn.ELU(0.5)),
        nn.Tanh(),
        nn.Linear(4, 3, rng=rng, dtype=dtype),
        nn.Sigmoid(),
    )


def _perturb_biases(model):
    # biases start at zero; give them values so a lost bias would show in the outputs
    for name, parameter in model.named_parameters():
        if name.endswith("bias"):
            parameter.data[...] = np.linspace(-1, 1, parameter.data.size)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_every_layer_type(tmp_path, dtype):
    model = _all_layers_model(dtype)
    _perturb_biases(model)
    path = tmp_path / "model.safetensors"
    io.save(model, path)
    saved = io.load(path)
    x = np.random.default_rng(2).standard_normal((5, 2, 3)).astype(dtype)
    model.eval()
    assert saved.model.training is False
    assert repr(saved.model) == repr(model)
    expected = model(x).data
    got = saved.model(x).data
    assert got.dtype == np.dtype(dtype)
    assert np.array_equal(got, expected)
    for (name, a), (name_b, b) in zip(model.named_parameters(), saved.model.named_parameters()):
        assert name == name_b and a.data.dtype == b.data.dtype
        assert np.array_equal(a.data, b.data)
    assert saved.preprocessing is None and saved.classes is None and saved.metadata == {}


@pytest.mark.parametrize("layer, x_shape", [
    (nn.Linear(3, 2), (4, 3)),
    (nn.Linear(3, 2, bias=False), (4, 3)),
    (nn.Maxout(3, 2, pieces=4), (4, 3)),
    (nn.ReLU(), (4, 3)),
    (nn.LeakyReLU(0.3), (4, 3)),
    (nn.ELU(2.0), (4, 3)),
    (nn.Tanh(), (4, 3)),
    (nn.Sigmoid(), (4, 3)),
    (nn.Dropout(0.5), (4, 3)),
    (nn.Flatten(), (4, 3, 2)),
])
def test_round_trip_single_layer(tmp_path, layer, x_shape):
    path = tmp_path / "layer.safetensors"
    io.save(layer, path)
    rebuilt = io.load(path).model
    assert type(rebuilt) is type(layer)
    assert rebuilt.extra_repr() == layer.extra_repr()
    layer.eval()
    x = np.random.default_rng(0).standard_normal(x_shape).astype(np.float32)
    assert np.array_equal(rebuilt(x).data, layer(x).data)


def test_preprocessing_classes_and_metadata_round_trip(tmp_path):
    from chainrule.data import Flatten as FlattenStep
    from chainrule.data import Pipeline, Scale, Standardize, SubtractMean

    images = np.random.default_rng(0).integers(0, 256, (30, 4, 4), dtype=np.uint8)
    preprocessing = Pipeline([Scale(), SubtractMean(), Standardize(per_feature=False),
                              FlattenStep()]).fit(images)
    model = nn.Sequential(nn.Linear(16, 3, rng=0))
    classes = ["cat", "dog", "ünïcode bird"]
    metadata = {"val_accuracy": 0.875, "epochs": 3, "command": ["train", "--lr", "0.1"]}
    path = tmp_path / "model.safetensors"
    io.save(model, path, preprocessing=preprocessing, classes=classes, metadata=metadata)
    saved = io.load(path)
    assert saved.classes == classes
    assert saved.metadata == metadata
    from chainrule import __version__
    assert saved.chainrule_version == __version__
    new_images = np.random.default_rng(1).integers(0, 256, (5, 4, 4), dtype=np.uint8)
    assert np.array_equal(saved.preprocessing.transform(new_images),
                          preprocessing.transform(new_images))
    tensors = io.read_header(path)["tensors"]
    assert "preprocessing/1.mean" in tensors and "0.weight" in tensors


def test_save_arrays_round_trip_keeps_dtype_shape_and_order(tmp_path):
    arrays = {
        "zeta": np.arange(12, dtype=np.int64).reshape(3, 4),
        "alpha": np.float32(2.5) * np.ones(()),
        "empty": np.zeros((0, 3), dtype=np.float64),
        "mask": np.array([True, False, True]),
        "pixels": np.arange(6, dtype=np.uint8).reshape(2, 3),
        "strided": np.arange(20.0).reshape(4, 5)[:, ::2],
        "big_endian": np.arange(3, dtype=">i4"),
    }
    path = tmp_path / "arrays.safetensors"
    io.save_arrays(path, arrays, {"rng": {"state": 2**100 + 7}, "name": "knn"}, kind="knn")
    loaded, metadata = io.load_arrays(path, kind="knn")
    assert list(loaded) == list(arrays)
    for name, array in arrays.items():
        assert loaded[name].shape == array.shape, name
        assert loaded[name].dtype == array.dtype.newbyteorder("="), name
        assert np.array_equal(loaded[name], array), name
        assert loaded[name].flags.writeable
    assert metadata == {"rng": {"state": 2**100 + 7}, "name": "knn"}


def test_save_arrays_rejects_bad_input(tmp_path):
    path = tmp_path / "a.safetensors"
    with pytest.raises(TypeError, match="'s'.*numeric"):
        io.save_arrays(path, {"s": np.array(["a", "b"])})
    with pytest.raises(TypeError, match="'loss'.*JSON"):
        io.save_arrays(path, {}, {"loss": float("nan")})
    with pytest.raises(ValueError, match="reserved"):
        io.save_arrays(path, {}, {"kind": "x"})
    with pytest.raises(TypeError, match="dict"):
        io.save_arrays(path, [np.zeros(3)])
    assert not path.exists()


class _Custom(nn.Module):
    def forward(self, x):
        return x


class _MyLinear(nn.Linear):
    pass


@pytest.mark.parametrize("model, where, type_name", [
    (nn.Sequential(nn.Linear(2, 2), _Custom()), "model.1", "_Custom"),
    (nn.Sequential(nn.Sequential(_MyLinear(2, 2))), "model.0.0", "_MyLinear"),
    (nn.SoftmaxCrossEntropyLoss(), "model", "SoftmaxCrossEntropyLoss"),
])
def test_undescribable_module_is_a_clear_type_error(tmp_path, model, where, type_name):
    with pytest.raises(TypeError, match=rf"'{where}' of type {type_name}.*register_layer"):
        io.save(model, tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_registered_layer_round_trips(tmp_path, monkeypatch):
    class Scale(nn.Module):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def forward(self, x):
            return x * self.factor

    monkeypatch.setitem(io.LAYERS, "Scale", None)  # restored after the test
    io.register_layer(Scale, lambda m: {"factor": m.factor})
    path = tmp_path / "m.safetensors"
    io.save(nn.Sequential(Scale(3.0), nn.Linear(2, 2, rng=0)), path)
    rebuilt = io.load(path).model
    assert rebuilt[0].factor == 3.0


# ---------------------------------------------------------------------- bad files
def _saved_model(tmp_path):
    path = tmp_path / "model.safetensors"
    io.save(nn.Sequential(nn.Linear(5, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1)), path,
            classes=["a", "b"])
    return path


def _png_bytes():
    import io as stdio

    from PIL import Image
    buffer = stdio.BytesIO()
    Image.new("RGB", (4, 4), (255, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("make_content, message", [
    (lambda good: b"", "truncated"),
    (lambda good: b"abc", "truncated"),
    (lambda good: np.random.default_rng(0).bytes(5000), "not a chainrule file"),
    (lambda good: _png_bytes(), "not a chainrule file"),
    (lambda good: good[:40], "not a chainrule file"),           # cut inside the header
    (lambda good: good[:-7], "truncated or corrupted"),          # cut inside the tensor data
    (lambda good: good + b"\0" * 16, "truncated or corrupted"),  # trailing garbage
    (lambda good: good[:-2] + bytes([good[-2] ^ 0x10]) + good[-1:], "checksum mismatch"),
    (lambda good: b"{\"x\": 1}" + good, "not a chainrule file"),
])
def test_corrupted_truncated_or_foreign_files_give_a_clear_error(tmp_path, make_content,
                                                                 message):
    good = _saved_model(tmp_path).read_bytes()
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(make_content(good))
    for reader in (io.load, io.load_arrays, io.read_header):
        if reader is io.read_header and message == "checksum mismatch":
            continue  # the header alone is fine; only reading the data finds the flipped bit
        with pytest.raises(io.ChainruleFileError, match=message) as caught:
            reader(bad)
        assert str(bad) in str(caught.value)
        assert isinstance(caught.value, ValueError)


def test_corrupted_header_json(tmp_path):
    good = _saved_model(tmp_path).read_bytes()
    length = int.from_bytes(good[:8], "little")
    header = good[8:8 + length].replace(b'"data_offsets"', b'"data_offsetz"')
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(good[:8] + header + good[8 + length:])
    with pytest.raises(io.ChainruleFileError, match="corrupted header"):
        io.load(bad)


def test_foreign_safetensors_file(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "foreign.safetensors"
    save_file({"weight": np.ones((2, 2), dtype=np.float32)}, str(path))
    with pytest.raises(io.ChainruleFileError, match="not written by chainrule"):
        io.load(path)
    save_file({"weight": np.ones((2, 2), dtype=np.float32)}, str(path),
              metadata={"format": "pt"})
    with pytest.raises(io.ChainruleFileError, match="not written by chainrule"):
        io.load_arrays(path)


def test_newer_format_version_is_refused(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "future.safetensors"
    newer = io.FORMAT_VERSION + 1
    save_file({"w": np.ones(2, dtype=np.float32)}, str(path),
              metadata={"format": "chainrule", "format_version": str(newer), "kind": "model",
                        "chainrule_version": "9.0.0", "checksums": "{}"})
    with pytest.raises(io.ChainruleFileError, match=rf"newer chainrule.*version {newer}.*upgrade"):
        io.load(path)


def test_wrong_kind_and_wrong_weights(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    io.save_arrays(path, {"w": np.zeros(3)}, kind="checkpoint")
    with pytest.raises(io.ChainruleFileError, match="'checkpoint' file, expected a 'model'"):
        io.load(path)
    architecture = io.describe_module(nn.Sequential(nn.Linear(5, 4)))
    io.save_arrays(path, {"0.weight": np.zeros((4, 5), np.float32),
                          "0.bias": np.zeros(4, np.float32)},
                   {"architecture": architecture}, kind="model")
    with pytest.raises(io.ChainruleFileError, match=r"'0.weight' has shape \(4, 5\)"):
        io.load(path)
    io.save_arrays(path, {"0.weight": np.zeros((5, 4), np.float32)},
                   {"architecture": architecture}, kind="model")
    with pytest.raises(io.ChainruleFileError, match="do not match"):
        io.load(path)
    io.save_arrays(path, {}, {"architecture": {"type": "os.system", "args": {}}}, kind="model")
    with pytest.raises(io.ChainruleFileError, match="unknown layer type 'os.system'"):
        io.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere"):
        io.load(tmp_path / "nothere.safetensors")


# ---------------------------------------------------------------------- atomic writes
def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("failing", ["os.replace", "os.fsync"])
def test_failure_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch, failing):
    path = _saved_model(tmp_path)
    before = path.read_bytes()

    def fail(*args):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(failing, fail)
    with pytest.raises(OSError, match="simulated"):
        io.save(nn.Sequential(nn.Linear(50, 40)), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert io.load(path).classes == ["a", "b"]


def test_interrupted_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    # KeyboardInterrupt while the bytes are being written: cleanup must still run
    path = tmp_path / "notes.txt"
    io.atomic_write_text(path, "old")
    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, handle):
            self.file = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[:3])
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Exploding(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        io.atomic_write_text(path, "new content")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_atomic_write_text_replaces(tmp_path):
    path = tmp_path / "h.json"
    io.atomic_write_text(path, json.dumps({"a": 1}))
    io.atomic_write_text(path, json.dumps({"a": 2}))
    assert json.loads(path.read_text()) == {"a": 2}
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("architecture, match", [
    ({"type": "Linear", "args": {"in_features": 2, "out_features": 3, "dtype": "nonsense"}},
     "layer Linear: bad description"),
    ({"type": "Linear", "args": {"in_features": 2, "out_features": 3, "bogus": 1}},
     "layer Linear: bad description"),
    ({"type": "Linear", "args": {"in_features": -2, "out_features": 3}}, "in_features"),
    ({"type": "Sequential", "layers": 5}, "layer Sequential: bad description"),
    ({"type": ["ReLU"]}, "bad description"),
    (["not", "a", "dict"], "must be a dict"),
])
def test_bad_architectures_are_a_clear_file_error(tmp_path, architecture, match):
    path = tmp_path / "bad.safetensors"
    io.save_arrays(path, {}, {"architecture": architecture}, kind="model")
    with pytest.raises(io.ChainruleFileError, match=match):
        io.load(path)
