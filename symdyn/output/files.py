"""The one atomic writer: every file symdyn writes goes through here.

Three shapes of output, one rule: nothing is half-written, and nothing symdyn did not write is lost.

* :func:`write_file` — one file: written to a temporary sibling, flushed, then renamed over the target
  (:func:`atomic_file` for a writer that streams into a path, e.g. a large Parquet table).
* :func:`write_folder` — a whole folder (``symdyn reproduce``): built in a temporary sibling, then renamed into
  place. An existing target is replaced only when its manifest (:data:`MANIFEST`) proves that symdyn wrote every
  file in it; a folder holding anything else is refused, and a target that appears during the run is never
  replaced (the final rename fails on a non-empty folder, and the run says so).
* :func:`add_files` — files added to a folder that may hold the user's own files (``symdyn figures``): every new
  file is complete in a temporary folder before any is moved; an existing file is overwritten only when the
  folder's manifest says symdyn wrote it.

The permissions of an existing target folder are kept. Errors are one-line ``ValueError``s in plain terms.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

#: The manifest symdyn keeps in every folder it writes: the files it wrote, relative to the folder.
MANIFEST = ".symdyn-manifest.json"

Content = str | bytes


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def put_file(path: Path, content: Content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_file(path: str | os.PathLike, content: Content) -> Path:
    """Write one file atomically: a temporary sibling renamed over ``path``."""
    path = Path(path)
    with atomic_file(path) as tmp:
        put_file(tmp, content)
    return path


@contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write into; on success it is flushed and renamed over ``path``,
    on any error (an interrupt too) removed, so ``path`` is either the old file or the whole new one."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, expected a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(folder: Path) -> set[str] | None:
    """The files symdyn recorded as its own in ``folder``, or ``None`` if it has no readable manifest."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _present(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()} - {MANIFEST}


def _manifest_text(files: set[str], writer: str) -> str:
    return json.dumps({"writer": writer, "files": sorted(files)}, indent=1) + "\n"


def check_replaceable(target: Path) -> None:
    """Raise unless ``target`` is absent, empty, or a folder whose every file symdyn wrote."""
    if not target.exists():
        return
    if not target.is_dir():
        raise ValueError(f"{target} exists and is not a folder")
    present = _present(target)
    if not present and not (target / MANIFEST).exists():
        return
    own = read_manifest(target)
    if own is None:
        raise ValueError(f"{target} is a non-empty folder that symdyn did not write; choose a new or empty folder")
    foreign = sorted(present - own)
    if foreign:
        raise ValueError(f"{target} holds files symdyn did not write ({', '.join(foreign[:3])}"
                         f"{', …' if len(foreign) > 3 else ''}); move them away or choose another folder")


def staging_folder(target: str | os.PathLike) -> Path:
    """A fresh temporary sibling of ``target`` (same file system, so the final rename is atomic)."""
    target = Path(target).resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    except OSError as exc:
        raise ValueError(f"cannot write next to {target} ({exc.strerror or exc}); choose another folder") from None


def write_folder(target: str | os.PathLike, files: Mapping[str, Content], *, writer: str = "symdyn",
                 staging: Path | None = None) -> Path:
    """Write ``files`` (relative name → content) as the whole folder ``target``, atomically.

    ``staging`` may be a folder from :func:`staging_folder` that already holds files written earlier
    in the same run (they are kept and listed in the manifest). On any error the staging folder is removed.
    """
    target = Path(target).resolve()
    tmp = staging or staging_folder(target)
    try:
        check_replaceable(target)
        for name, content in files.items():
            put_file(tmp / name, content)
        (tmp / MANIFEST).write_text(_manifest_text(_present(tmp), writer), encoding="utf-8")
        mode = stat.S_IMODE(target.stat().st_mode) if target.is_dir() else 0o777 & ~_umask()
        os.chmod(tmp, mode)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _swap_into_place(tmp: Path, target: Path) -> None:
    if target.exists():
        check_replaceable(target)     # again: the user may have added a file during the run
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.replace(target, old / "previous")
        try:
            try:
                check_replaceable(old / "previous")  # once moved aside, no file can be added to it unseen
            except ValueError:
                raise ValueError(f"{target} received files symdyn did not write during the run; it was left "
                                 "untouched (choose another folder, or move them away and rerun)") from None
            os.rename(tmp, target)
        except BaseException:
            os.replace(old / "previous", target)
            shutil.rmtree(old, ignore_errors=True)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    try:
        os.rename(tmp, target)        # fails on a non-empty folder that appeared meanwhile: never replaced
    except OSError as exc:
        raise ValueError(f"{target} appeared during the run and was left untouched; "
                         "choose another folder or remove it and rerun") from exc


def check_addable(folder: str | os.PathLike, names: Iterable[str]) -> set[str]:
    """Raise unless ``names`` can be added to ``folder`` without touching a file of the user's; returns the
    files the folder's manifest lists as symdyn's (call it before any work, and again when writing)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} exists and is not a folder")
    own = (read_manifest(folder) or set()) if folder.exists() else set()
    clash = sorted(n for n in names if (folder / n).exists() and n not in own)
    if clash:
        raise ValueError(f"{folder / clash[0]} exists and symdyn did not write it; "
                         "move it away or choose another folder")
    return own


def add_files(folder: str | os.PathLike, files: Mapping[str, Content], *, writer: str = "symdyn") -> list[Path]:
    """Add ``files`` to ``folder`` (created if absent), each complete before any is moved into place.

    A file of the same name is overwritten only if ``folder``'s manifest says symdyn wrote it.
    """
    folder = Path(folder)
    own = check_addable(folder, files)
    created = not folder.exists()
    if created:
        tmp_folder = staging_folder(folder)
        try:
            for name, content in files.items():
                put_file(tmp_folder / name, content)
            (tmp_folder / MANIFEST).write_text(_manifest_text(set(files), writer), encoding="utf-8")
            os.chmod(tmp_folder, 0o777 & ~_umask())
            _swap_into_place(tmp_folder, folder.resolve())
        except BaseException:
            shutil.rmtree(tmp_folder, ignore_errors=True)
            raise
        return [folder / n for n in files]
    tmp = Path(tempfile.mkdtemp(prefix=".symdyn-", suffix=".partial", dir=folder))
    try:
        for name, content in files.items():
            put_file(tmp / name, content)
        # the manifest first: a run stopped while moving files in leaves only files it lists
        write_file(folder / MANIFEST, _manifest_text(own | set(files), writer))
        moved: set[str] = set()
        try:
            for name in files:          # every file is complete before any is moved into place
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                if name in own:
                    os.replace(tmp / name, folder / name)
                else:
                    _move_new(tmp / name, folder / name)
                moved.add(name)
        except ValueError:              # a name was taken meanwhile: the manifest claims only what was moved
            write_file(folder / MANIFEST, _manifest_text(own | moved, writer))
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / n for n in files]


def _move_new(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst`` only if ``dst`` does not exist (a hard link fails on an existing name)."""
    try:
        os.link(src, dst)
    except FileExistsError:
        raise ValueError(f"{dst} appeared during the run and symdyn did not write it; it was left untouched") from None
    except OSError:  # a file system without hard links: check, then rename (a narrow window)
        if dst.exists():
            raise ValueError(f"{dst} appeared during the run and symdyn did not write it; "
                             "it was left untouched") from None
        os.replace(src, dst)
        return
    src.unlink()
