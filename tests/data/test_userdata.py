"""User data: image folders (Pillow), .npz files, single images for prediction."""

import numpy as np
import pytest

from chainrule.data import load_dataset, load_image, load_image_folder, load_npz

Image = pytest.importorskip("PIL.Image")


def save(path, array, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8), mode=mode).save(path)
    return path


def gray_folder(root, per_class=5, size=(6, 4)):
    """Classes 'cat', 'ant', 'bee'; image k of class c has constant value 10 * c_index + k."""
    for c, name in enumerate(["ant", "bee", "cat"]):
        for k in range(per_class):
            save(root / name / f"{k:02d}.png", np.full(size, 10 * c + k))
    return root


def test_folder_of_class_folders(tmp_path):
    root = gray_folder(tmp_path / "shapes")
    (root / "ant" / "notes.txt").write_text("ignored")
    (root / ".hidden").mkdir()
    ds = load_image_folder(root)
    assert ds.name == "shapes"
    assert ds.classes == ["ant", "bee", "cat"]
    assert ds.X_train.shape == (12, 6, 4) and ds.X_test.shape == (3, 6, 4)
    assert ds.X_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    np.testing.assert_array_equal(ds.class_counts("test"), [1, 1, 1])  # stratified 80/20
    # every image keeps its own label: value // 10 is the class index
    np.testing.assert_array_equal(ds.X_train[:, 0, 0] // 10, ds.y_train)
    np.testing.assert_array_equal(ds.X_test[:, 0, 0] // 10, ds.y_test)
    again = load_dataset(str(root))
    np.testing.assert_array_equal(again.X_test, ds.X_test)  # deterministic split


def test_size_from_first_image_and_size_argument(tmp_path):
    root = tmp_path / "mixed"
    save(root / "a" / "0.png", np.full((8, 6), 50))  # the first image sets the size
    save(root / "a" / "1.png", np.full((16, 12), 100))
    save(root / "b" / "0.png", np.full((3, 3), 200))
    save(root / "b" / "1.png", np.full((8, 6), 250))
    ds = load_image_folder(root, test_fraction=0.5)
    assert ds.image_shape == (8, 6)
    values = sorted(np.concatenate([ds.X_train, ds.X_test])[:, 4, 3].tolist())
    assert values == [50, 100, 200, 250]  # constant images stay constant when resized
    assert load_image_folder(root, size=(5, 7), test_fraction=0.5).image_shape == (5, 7)
    assert load_image_folder(root, size=4, test_fraction=0.5).image_shape == (4, 4)


def test_any_colour_image_makes_the_dataset_rgb(tmp_path):
    root = tmp_path / "colour"
    save(root / "a" / "0.png", np.full((4, 4), 90))
    save(root / "a" / "1.jpeg", np.full((4, 4), 90))
    rgb = np.zeros((4, 4, 3))
    rgb[..., 0] = 255
    save(root / "b" / "0.png", rgb)
    save(root / "b" / "1.png", np.dstack([rgb, np.full((4, 4), 128)]))  # RGBA: alpha dropped
    ds = load_image_folder(root, test_fraction=0.5)
    assert ds.image_shape == (4, 4, 3)
    X = np.concatenate([ds.X_train, ds.X_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    np.testing.assert_array_equal(X[y == 1][:, 0, 0], [[255, 0, 0]] * 2)
    assert np.abs(X[y == 0].astype(int) - 90).max() <= 2  # gray replicated (JPEG: near)
    assert load_image_folder(root, grayscale=True, test_fraction=0.5).image_shape == (4, 4)


def test_palette_images_with_gray_palette_count_as_gray(tmp_path):
    root = tmp_path / "palette"
    gray = Image.fromarray(np.full((4, 4), 70, dtype=np.uint8)).convert("P")
    (root / "a").mkdir(parents=True)
    gray.save(root / "a" / "0.png")
    save(root / "b" / "0.png", np.full((4, 4), 30))
    ds = load_image_folder(root, test_fraction=0.5)
    assert ds.image_shape == (4, 4)


def test_train_test_layout(tmp_path):
    gray_folder(tmp_path / "split" / "train", per_class=4)
    gray_folder(tmp_path / "split" / "test", per_class=2)
    ds = load_dataset(tmp_path / "split")
    assert ds.classes == ["ant", "bee", "cat"]
    assert ds.X_train.shape == (12, 6, 4) and ds.X_test.shape == (6, 6, 4)
    np.testing.assert_array_equal(ds.y_test, [0, 0, 1, 1, 2, 2])


def test_bad_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: no class folders"):
        load_image_folder(tmp_path / "empty")
    root = gray_folder(tmp_path / "noimages")
    (root / "dog").mkdir()
    (root / "dog" / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match=r"dog: no images \(looked for .png"):
        load_image_folder(root)
    root = gray_folder(tmp_path / "broken")
    (root / "bee" / "99.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    with pytest.raises(ValueError, match=r"cannot decode image .*bee/99\.png"):
        load_image_folder(root)
    gray_folder(tmp_path / "mismatch" / "train")
    save(tmp_path / "mismatch" / "test" / "zebra" / "0.png", np.zeros((6, 4)))
    with pytest.raises(ValueError, match="class 'zebra' is not among"):
        load_image_folder(tmp_path / "mismatch")
    with pytest.raises(FileNotFoundError, match="no folder"):
        load_image_folder(tmp_path / "nothing-here")
    with pytest.raises(TypeError, match="size must be an int or a"):
        load_image_folder(root, size=(1.5, 2))


@pytest.mark.parametrize(
    ("shape", "expected"),
    [(None, (10, 8, 3)), ((5, 4), (5, 4)), ((5, 4, 1), (5, 4, 1)), ((6, 6, 3), (6, 6, 3))],
)
def test_load_image_for_prediction(tmp_path, shape, expected):
    rgb = np.zeros((10, 8, 3), dtype=np.uint8)
    rgb[..., 1] = 200
    path = save(tmp_path / "x.png", rgb)
    image = load_image(path, shape)
    assert image.shape == expected and image.dtype == np.uint8
    if len(expected) == 3 and expected[2] == 3:
        np.testing.assert_array_equal(image[0, 0], [0, 200, 0])
    else:  # ITU-R 601-2 luma of pure green 200: 200 * 587 / 1000
        assert image.reshape(-1)[0] == 117


def test_load_image_errors(tmp_path):
    path = save(tmp_path / "g.png", np.zeros((3, 3)))
    assert load_image(path).shape == (3, 3)  # a grayscale file stays grayscale
    with pytest.raises(ValueError, match=r"image_shape must be \(H, W\), \(H, W, 1\) or"):
        load_image(path, (3, 3, 2))
    with pytest.raises(FileNotFoundError, match="no image file"):
        load_image(tmp_path / "missing.png")
    (tmp_path / "bad.jpg").write_bytes(b"nope")
    with pytest.raises(ValueError, match=r"cannot decode image .*bad\.jpg"):
        load_image(tmp_path / "bad.jpg")


def test_npz_without_test_split_gets_stratified_80_20(tmp_path):
    X = np.arange(100 * 3, dtype=np.float32).reshape(100, 3)
    y = np.repeat([0, 1, 2, 3], 25).astype(np.int32)
    np.savez(tmp_path / "mine.npz", X=X, y=y)
    ds = load_npz(tmp_path / "mine.npz")
    assert ds.name == "mine" and ds.classes == ["0", "1", "2", "3"]
    assert ds.X_train.shape == (80, 3) and ds.X_train.dtype == np.float32
    np.testing.assert_array_equal(ds.class_counts("test"), [5, 5, 5, 5])
    assert ds.y_train.dtype == np.int64
    np.testing.assert_array_equal(ds.X_test[:, 0] // 3 // 25, ds.y_test)  # pairs kept
    again = load_dataset(str(tmp_path / "mine.npz"))
    np.testing.assert_array_equal(again.y_test, ds.y_test)


def test_npz_with_test_split_and_class_names(tmp_path):
    np.savez(tmp_path / "full.npz", X=np.zeros((4, 2, 2), np.uint8), y=[0, 1, 1, 0],
             X_test=np.ones((2, 2, 2), np.uint8), y_test=[1, 0], classes=["no", "yes"])  # fmt: skip
    ds = load_npz(tmp_path / "full.npz")
    assert ds.classes == ["no", "yes"]
    assert ds.X_test.shape == (2, 2, 2) and ds.y_test.tolist() == [1, 0]


@pytest.mark.parametrize(
    ("arrays", "error", "match"),
    [
        ({"y": [0, 1]}, ValueError, r"missing array 'X' \(found \['y'\]\)"),
        ({"X": np.zeros((2, 2))}, ValueError, "missing array 'y'"),
        ({"X": np.zeros((3, 2)), "y": [0, 1]}, ValueError, "X has 3 samples but y has 2"),
        ({"X": np.zeros((2, 2)), "y": [0.0, 1.0]}, TypeError, "labels must be integers"),
        ({"X": np.zeros((2, 2)), "y": [0, -1]}, ValueError, "labels must be >= 0"),
        ({"X": np.zeros(2), "y": [0, 1]}, ValueError, r"X must have shape \(n, \.\.\.\)"),
        ({"X": np.zeros((2, 2)), "y": [0, 2], "classes": ["a", "b"]}, ValueError,
         "label 2 is out of range for 2 classes"),
        ({"X": np.zeros((2, 2)), "y": [0, 1], "X_test": np.zeros((1, 2))}, ValueError,
         "X_test and y_test must be given together"),
        ({"X": np.array([["a"], ["b"]]), "y": [0, 1]}, TypeError, "X must be numeric"),
    ],
)  # fmt: skip
def test_npz_errors_name_the_file(tmp_path, arrays, error, match):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(error, match=match) as info:
        load_npz(tmp_path / "bad.npz")
    assert "bad.npz" in str(info.value)


def test_npz_with_object_array_is_refused(tmp_path):
    np.savez(tmp_path / "obj.npz", X=np.array([object(), object()]), y=[0, 1])
    with pytest.raises(ValueError, match="obj.npz: cannot read without pickle"):
        load_npz(tmp_path / "obj.npz")
