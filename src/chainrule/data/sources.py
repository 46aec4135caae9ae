"""Where the named datasets come from, and the checksums that identify their files.

Provenance of the checksums (see also ``embedded/README.md``):

* Fashion-MNIST ``sha256[0]``: SHA-256 of the gzip files served by Zalando's S3 bucket, as
  listed in TensorFlow Datasets' ``url_checksums/fashion_mnist.txt`` (and torchvision's
  prototype datasets); ``md5``: the MD5s published in the Fashion-MNIST README.
  ``sha256[1]``: SHA-256 of Debian's package ``dataset-fashion-mnist`` (0.0~git20200523), which
  re-compressed the same data (the gzip header differs: no file name, Debian's build date).
  ``payload_sha256``: SHA-256 of the decompressed IDX files, computed from Debian's files; their
  MD5s equal the decompressed MD5s listed by torchvision's FashionMNIST, so Debian's content is
  upstream's byte for byte.
* MNIST ``sha256``: TensorFlow Datasets' ``url_checksums/mnist.txt`` (same files on
  yann.lecun.com, the CVDF and the ossci mirrors); ``md5``: torchvision's MNIST resources.
* CIFAR-10 ``sha256``: TensorFlow Datasets' ``url_checksums/cifar10.csv`` and Keras'
  ``cifar10.load_data`` (``file_hash``); ``md5``: the one published on the CIFAR page and used by
  torchvision. For an extracted ``cifar-10-batches-py`` folder only torchvision's per-batch MD5s
  are known, so those files are checked with MD5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .remote import FileSpec

__all__ = [
    "CIFAR10_BATCH_SPECS",
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "MNIST_CLASSES",
    "REMOTE_DATASETS",
    "RemoteDataset",
]

FASHION_MNIST_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip
MNIST_CLASSES = [str(digit) for digit in range(10)]
CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip


@dataclass(frozen=True)
class RemoteDataset:
    """A downloadable dataset: its files (by role), official URL and class names."""

    name: str
    url: str
    files: dict[str, FileSpec]
    classes: list[str]
    extra_dirs: tuple[str, ...] = ()
    description: str = ""
    license: str = ""
    citation: str = field(default="", repr=False)


_FASHION_FILES = {
    "train_images": FileSpec(
        "train-images-idx3-ubyte.gz",
        sha256=(
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
        ),
        md5=("8d4fb7e6c68d591d4c3dfef9ec88bf0d",),
        payload_sha256=("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",),
    ),
    "train_labels": FileSpec(
        "train-labels-idx1-ubyte.gz",
        sha256=(
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        ),
        md5=("25c81989df183df01b3e8a0aad5dffbe",),
        payload_sha256=("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",),
    ),
    "test_images": FileSpec(
        "t10k-images-idx3-ubyte.gz",
        sha256=(
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        ),
        md5=("bef4ecab320f06d8554ea6380940ec79",),
        payload_sha256=("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",),
    ),
    "test_labels": FileSpec(
        "t10k-labels-idx1-ubyte.gz",
        sha256=(
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
        ),
        md5=("bb300cfdad3c16e7a12a480ee83cd310",),
        payload_sha256=("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",),
    ),
}

_MNIST_FILES = {
    "train_images": FileSpec(
        "train-images-idx3-ubyte.gz",
        sha256=("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",),
        md5=("f68b3c2dcbeaaa9fbdd348bbdeb94873",),
    ),
    "train_labels": FileSpec(
        "train-labels-idx1-ubyte.gz",
        sha256=("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",),
        md5=("d53e105ee54ea40749a09fcbcd1e9432",),
    ),
    "test_images": FileSpec(
        "t10k-images-idx3-ubyte.gz",
        sha256=("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",),
        md5=("9fb629c4189551a2d022fa330f9573f3",),
    ),
    "test_labels": FileSpec(
        "t10k-labels-idx1-ubyte.gz",
        sha256=("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",),
        md5=("ec29112dd5afa0611ce80d1b7f02629c",),
    ),
}

_CIFAR10_FILES = {
    "archive": FileSpec(
        "cifar-10-python.tar.gz",
        sha256=("6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",),
        md5=("c58f30108f718f92721af3b95e74349a",),
    ),
}

# Members of an extracted cifar-10-batches-py folder; only MD5s (torchvision's) are published.
CIFAR10_BATCH_SPECS = (
    FileSpec("data_batch_1", md5=("c99cafc152244af753f735de768cd75f",)),
    FileSpec("data_batch_2", md5=("d4bba439e000b95fd0a9bffe97cbabec",)),
    FileSpec("data_batch_3", md5=("54ebc095f3ab1f0389bbae665268c751",)),
    FileSpec("data_batch_4", md5=("634d18415352ddfa80567beed471001a",)),
    FileSpec("data_batch_5", md5=("482c414d41f54cd18b22e5b47cb7c3cb",)),
    FileSpec("test_batch", md5=("40351d587109b95175f43aff81a1287e",)),
    FileSpec("batches.meta", md5=("5ff9c542aee3614f3951f8cda6e48888",)),
)

REMOTE_DATASETS: dict[str, RemoteDataset] = {
    "fashion-mnist": RemoteDataset(
        name="fashion-mnist",
        url="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        files=_FASHION_FILES,
        classes=FASHION_MNIST_CLASSES,
        extra_dirs=("/usr/share/datasets/fashion-mnist",),
        description="Zalando's article images, 60,000 train / 10,000 test, 28x28 grayscale",
        license="MIT, Copyright (c) 2017 Zalando SE",
        citation="Xiao, Rasul, Vollgraf (2017). Fashion-MNIST. arXiv:1708.07747",
    ),
    "mnist": RemoteDataset(
        name="mnist",
        url="https://ossci-datasets.s3.amazonaws.com/mnist/",
        files=_MNIST_FILES,
        classes=MNIST_CLASSES,
        description="Handwritten digits, 60,000 train / 10,000 test, 28x28 grayscale",
        license="see http://yann.lecun.com/exdb/mnist/ (LeCun, Cortes, Burges)",
        citation="LeCun, Bottou, Bengio, Haffner (1998). Gradient-based learning ...",
    ),
    "cifar10": RemoteDataset(
        name="cifar10",
        url="https://www.cs.toronto.edu/~kriz/",
        files=_CIFAR10_FILES,
        classes=CIFAR10_CLASSES,
        description="Tiny colour images, 50,000 train / 10,000 test, 32x32x3",
        license="see https://www.cs.toronto.edu/~kriz/cifar.html",
        citation="Krizhevsky (2009). Learning Multiple Layers of Features from Tiny Images",
    ),
}
