"""Finding, verifying and downloading dataset files.

A dataset file is described by a :class:`FileSpec`: its name and the checksums it may have.
Files are looked up, in this order, in

1. the ``data_dir`` argument (the folder itself, then ``data_dir/<dataset>``),
2. ``$CHAINRULE_DATA/<dataset>``,
3. the cache ``~/.cache/chainrule/<dataset>`` (``$XDG_CACHE_HOME/chainrule`` when set),
4. dataset-specific system folders (e.g. Debian's ``/usr/share/datasets/fashion-mnist``).

A missing file is downloaded (stdlib :mod:`urllib`, no extra dependency) into
``data_dir/<dataset>`` if ``data_dir`` was given, else ``$CHAINRULE_DATA/<dataset>``, else the
cache. The download goes to a temporary file in the target folder, is verified, and only then
renamed into place with :func:`os.replace`, so a partial or corrupted download is never used.
The download source is the official one unless a mirror is given: the ``mirror`` argument is a
base URL holding the files directly (``{mirror}/{file}``), the ``$CHAINRULE_MIRROR`` variable a
base URL holding one folder per dataset (``{CHAINRULE_MIRROR}/{dataset}/{file}``).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ChecksumError, DatasetNotFoundError

__all__ = [
    "FileSpec",
    "default_cache_dir",
    "download_file",
    "ensure_files",
    "file_digests",
    "search_dirs",
    "verify_file",
]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileSpec:
    """A file of a dataset and the checksums that identify it.

    A file is accepted if its SHA-256 is one of ``sha256``, or its MD5 is one of ``md5`` (MD5 is
    only listed where no trustworthy published SHA-256 exists), or, for gzip files, if the
    SHA-256 of the decompressed content is one of ``payload_sha256`` (a copy re-compressed by a
    distribution, such as Debian's, holds the same data in different gzip bytes).
    """

    name: str
    sha256: tuple[str, ...] = ()
    md5: tuple[str, ...] = ()
    payload_sha256: tuple[str, ...] = ()


def file_digests(path: str | os.PathLike) -> tuple[str, str]:
    """Return ``(sha256_hex, md5_hex)`` of a file, read once in 1 MiB chunks."""
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


def verify_file(path: str | os.PathLike, spec: FileSpec, *, source: str | None = None) -> None:
    """Raise :class:`ChecksumError` unless the file at ``path`` matches ``spec``.

    Parameters
    ----------
    path : path-like
        The file to check.
    spec : FileSpec
        The accepted checksums.
    source : str, optional
        Where the file came from (a URL), named in the error message.
    """
    sha256, md5 = file_digests(path)
    if sha256 in spec.sha256 or md5 in spec.md5:
        return
    if spec.payload_sha256:
        try:
            with gzip.open(path, "rb") as stream:
                payload = hashlib.sha256()
                while chunk := stream.read(_CHUNK):
                    payload.update(chunk)
            if payload.hexdigest() in spec.payload_sha256:
                return
        except (OSError, EOFError):
            pass  # not gzip or truncated: fall through to the error below
    expected = [f"sha256 {h}" for h in spec.sha256] + [f"md5 {h}" for h in spec.md5]
    origin = f" (downloaded from {source})" if source else ""
    raise ChecksumError(
        f"checksum mismatch for {spec.name}{origin} at {os.fspath(path)}: expected "
        f"{' or '.join(expected) or 'a known checksum'}, got sha256 {sha256}. The file is "
        "corrupted or not the official one; delete it and try again."
    )


def default_cache_dir() -> Path:
    """The download cache: ``$XDG_CACHE_HOME/chainrule``, by default ``~/.cache/chainrule``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chainrule"


def _env_data_dir() -> Path | None:
    value = os.environ.get("CHAINRULE_DATA", "").strip()
    return Path(value).expanduser() if value else None


def search_dirs(
    dataset: str, data_dir: str | os.PathLike | None = None, extra_dirs: Iterable[str] = ()
) -> list[Path]:
    """The folders searched for the files of ``dataset``, in order (see the module docstring)."""
    dirs: list[Path] = []
    if data_dir is not None:
        root = Path(data_dir).expanduser()
        dirs += [root, root / dataset]
    env_dir = _env_data_dir()
    if env_dir is not None:
        dirs.append(env_dir / dataset)
    dirs.append(default_cache_dir() / dataset)
    dirs += [Path(d) for d in extra_dirs]
    return dirs


def download_dir(dataset: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Where missing files of ``dataset`` are downloaded to."""
    if data_dir is not None:
        return Path(data_dir).expanduser() / dataset
    env_dir = _env_data_dir()
    return (env_dir if env_dir is not None else default_cache_dir()) / dataset


def resolve_base_url(dataset: str, official: str, mirror: str | None = None) -> str:
    """The base URL to download from: ``mirror``, else ``$CHAINRULE_MIRROR/<dataset>``, else
    the official source."""
    if mirror:
        return mirror.rstrip("/") + "/"
    env_mirror = os.environ.get("CHAINRULE_MIRROR", "").strip()
    if env_mirror:
        return f"{env_mirror.rstrip('/')}/{dataset}/"
    return official


def download_file(url: str, dest: str | os.PathLike, spec: FileSpec, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` atomically, keeping it only if it matches ``spec``.

    The bytes go to a temporary file next to ``dest``; after the checksum is verified the
    temporary file is renamed to ``dest``. On any failure it is deleted, so ``dest`` either
    does not exist or holds a verified file.

    Raises
    ------
    OSError
        (including :class:`urllib.error.URLError`) if the server cannot be reached.
    ChecksumError
        If the downloaded bytes do not match ``spec``.
    """
    import urllib.request  # lazy: pulls in http.client, email and ssl (~30 ms)

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                shutil.copyfileobj(response, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        verify_file(tmp_name, spec, source=url)
        os.replace(tmp_name, dest)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return dest


def _find(spec: FileSpec, dirs: Sequence[Path]) -> Path | None:
    for folder in dirs:
        candidate = folder / spec.name
        if candidate.is_file():
            return candidate
    return None


def find_files(specs: Sequence[FileSpec], dirs: Sequence[Path]) -> dict[str, Path | None]:
    """Map each file name to its first location in ``dirs`` (``None`` if absent), unverified."""
    return {spec.name: _find(spec, dirs) for spec in specs}


def ensure_files(
    dataset: str,
    specs: Sequence[FileSpec],
    *,
    official_url: str,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    mirror: str | None = None,
    extra_dirs: Iterable[str] = (),
    timeout: float = 60.0,
) -> dict[str, Path]:
    """Return verified local paths of all ``specs``, downloading the missing ones.

    Parameters
    ----------
    dataset : str
        Dataset name, used for folder names and messages.
    specs : sequence of FileSpec
        The files needed.
    official_url : str
        Base URL of the official source (ends with ``/``).
    data_dir, download, mirror, extra_dirs, timeout
        See the module docstring; ``download=False`` never touches the network.

    Returns
    -------
    dict of str to Path
        File name to verified path.

    Raises
    ------
    DatasetNotFoundError
        If a file is missing and cannot be downloaded; the message says where to put it.
    ChecksumError
        If a file found on disk, or downloaded, has the wrong checksum.
    """
    dirs = search_dirs(dataset, data_dir, extra_dirs)
    found = find_files(specs, dirs)
    # Verify what is on disk first, so a corrupted file is reported as such, not re-fetched.
    for spec in specs:
        if found[spec.name] is not None:
            verify_file(found[spec.name], spec)
    missing = [spec for spec in specs if found[spec.name] is None]
    target = download_dir(dataset, data_dir)
    base_url = resolve_base_url(dataset, official_url, mirror)
    failure = None
    if missing and download:
        for spec in missing:
            url = base_url + spec.name
            logger.info("downloading %s to %s", url, target)
            try:  # download_file verifies before it renames into place
                found[spec.name] = download_file(url, target / spec.name, spec, timeout=timeout)
            except OSError as exc:  # URLError, HTTPError, timeouts, refused connections
                failure = f"downloading {url} failed ({exc})"
                break
        missing = [spec for spec in specs if found[spec.name] is None]
    if missing:
        raise DatasetNotFoundError(
            _not_found_message(dataset, missing, dirs, target, official_url, download, failure)
        )
    return {name: path for name, path in found.items() if path is not None}


def _not_found_message(
    dataset: str,
    missing: Sequence[FileSpec],
    dirs: Sequence[Path],
    target: Path,
    official_url: str,
    download: bool,
    failure: str | None,
) -> str:
    names = ", ".join(spec.name for spec in missing)
    searched = ", ".join(str(d) for d in dirs)
    if not download:
        why = "download=False"
    else:
        why = failure or "download failed"
    return (
        f"dataset {dataset!r} not found: missing {names} (searched {searched}); {why}. "
        f"Without internet, get the files from {official_url} on another machine and put them "
        f"into {target} (or into a folder passed as data_dir=..., or set CHAINRULE_DATA)."
    )
