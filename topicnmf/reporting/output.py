"""Safe output folders: staged, marked, swapped in atomically, never through a link.

A run folder is written in a staging folder beside its target and moved into
place in one ``rename`` at the end, so an error or an interrupt leaves no
half-written folder and an existing one intact. The rules, in one place:

- **Marked.** A run folder holds ``run.json`` with ``"format": "topicnmf-run"``
  (:data:`RUN_FILE`, :data:`RUN_FORMAT`). ``force=True`` replaces only a folder so
  marked (or an empty one); never an unrelated folder, never the current working
  directory or a folder that holds it, never the corpus or a folder that holds it.
- **Checked twice.** :func:`check_output_dir` refuses early, before any long work;
  :func:`staged_folder` checks again at the swap, atomically: without ``force`` it
  claims the name with ``mkdir`` (which fails if anything is there), so of two runs
  writing to the same folder exactly one wins and the other gets an
  :class:`~topicnmf.errors.InputError`; nothing is lost.
- **No links followed.** Files are created with ``O_NOFOLLOW | O_EXCL`` under a
  temporary name and renamed into place relative to an open folder descriptor;
  a sub-folder that is a symbolic link is refused (:class:`OutputFolder`).
- **Stale staging swept.** A staging folder is named
  ``.NAME.topicnmf-staging-PID-TOKEN`` and holds a marker file with the same pid,
  token and host. A later run removes such folders in the same parent when it can
  prove them its own kind, owned by the same user and left by a dead process
  (:func:`sweep_stale`); a replaced folder set aside by a dead run is put back
  when its name is free.

This module uses the standard library only, so the command line can check an
output folder without loading numpy or pandas.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import socket
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from topicnmf.errors import InputError

__all__ = [
    "RUN_FILE",
    "RUN_FORMAT",
    "RUN_FORMAT_VERSION",
    "figure_png",
    "OutputFolder",
    "check_output_dir",
    "check_output_file",
    "is_run_folder",
    "read_run_file",
    "run_record",
    "staged_folder",
    "sweep_stale",
    "write_file_atomic",
    "write_files",
    "write_run_file",
]

RUN_FILE = "run.json"
RUN_FORMAT = "topicnmf-run"
#: The version of ``run.json`` that every run folder's writer records.
RUN_FORMAT_VERSION = 2
#: The resolution of a run folder's own figure of a dynamic model or a tree (``topics_over_time.png``, ``tree.png``).
WING_DPI = 100
MARKER_FILE = ".topicnmf-staging"
MAX_RUN_FILE_BYTES = 4 * 1024 * 1024
_STAGING = re.compile(r"^\.(?P<name>.+)\.topicnmf-(?P<kind>staging|old)-(?P<pid>\d+)-(?P<token>[0-9a-f]{16})$")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_DIR_FD = os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd and os.name == "posix"


# -- the marker -------------------------------------------------------------------------------


def run_record(**fields) -> dict:
    """The ``run.json`` of a run folder: the format, its version and the time, ``fields``, the versions.

    ``versions`` are the library versions of :func:`topicnmf.model._state.library_versions`.
    """
    from topicnmf.model._state import library_versions

    return {"format": RUN_FORMAT, "format_version": RUN_FORMAT_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **fields, "versions": library_versions()}


def figure_png(figure, dpi: int) -> bytes:
    """A matplotlib ``figure`` as PNG bytes at ``dpi``, for a file of a run folder."""
    import io

    stream = io.BytesIO()
    figure.savefig(stream, format="png", dpi=dpi)
    return stream.getvalue()


def read_run_file(folder: str | Path) -> dict | None:
    """The ``run.json`` of ``folder`` as a dict, or ``None`` if it has none that topicnmf wrote.

    The file is read only if it is a regular file (not a link) of at most
    :data:`MAX_RUN_FILE_BYTES`; anything unreadable or malformed counts as absent.
    """
    path = Path(folder) / RUN_FILE
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RUN_FILE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_RUN_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    if record.get("format") == RUN_FORMAT or record.get("topicnmf_run") == 1:  # the latter: runs before 0.2
        return record
    return None


def is_run_folder(path: str | Path) -> bool:
    """Whether ``path`` is a real folder (not a link) that holds a topicnmf ``run.json``."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and read_run_file(path) is not None


def _is_empty_dir(path: Path) -> bool:
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


# -- the checks -------------------------------------------------------------------------------


def _within(inner: Path, outer: Path) -> bool:
    """Whether ``inner`` is ``outer`` or inside it (both resolved)."""
    return inner == outer or outer in inner.parents


def _refusal(target: Path, *, force: bool, protect: Iterable[str | Path]) -> str | None:
    """Why ``target`` must not take a run's output, or ``None`` if it may."""
    shown = os.fspath(target)
    if not shown:
        return "The 'out_dir' parameter is empty; name an output folder."
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        return f"Output path '{shown}' cannot be checked ({error.strerror}); choose another out_dir."
    resolved = target.resolve()
    if _within(Path.cwd().resolve(), resolved):
        return (
            f"Output folder '{shown}' is the current working directory or holds it; "
            "choose a new folder for out_dir."
        )
    for path in protect:
        if _within(Path(path).resolve(), resolved):
            return f"Output folder '{shown}' holds the corpus '{os.fspath(path)}'; choose another out_dir."
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            return f"Output path '{shown}' is a symbolic link; choose a real folder for out_dir."
        if not stat.S_ISDIR(info.st_mode):
            return f"Output path '{shown}' is not a folder; choose a new folder for out_dir."
        if not force:
            return f"Output folder '{shown}' exists; pass force=True to replace it or choose another out_dir."
        if not (is_run_folder(target) or _is_empty_dir(target)):
            return (
                f"Output folder '{shown}' was not written by topicnmf (it has no run.json); "
                "force=True replaces only run folders: choose another out_dir."
            )
    parent = resolved.parent
    if not parent.is_dir():
        return f"The parent folder of '{shown}' does not exist; create it or choose another out_dir."
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"The parent folder of '{shown}' is not writable; choose another out_dir."
    return None


def check_output_dir(path: str | Path, *, force: bool = False, protect: Iterable[str | Path] = ()) -> Path:
    """Check that ``path`` may take a run's output, before any work is done.

    Parameters
    ----------
    path : str or Path
        The output folder.
    force : bool, default=False
        Whether an existing run folder (or an empty folder) may be replaced.
    protect : iterable of str or Path, default=()
        Paths that the output folder must neither be nor hold (the corpus).

    Returns
    -------
    path : Path

    Raises
    ------
    InputError
        One line naming the folder and the remedy (see the module's rules).
    """
    target = Path(path)
    reason = _refusal(target, force=force, protect=protect)
    if reason is not None:
        raise InputError(reason)
    return target


def check_output_file(
    path: str | Path, *, force: bool = False, protect: Iterable[str | Path] = (), owner: str = "path"
) -> Path:
    """Check that the file ``path`` may be written, before any work is done.

    Refused: a path that names a folder, a missing parent folder, an existing
    file without ``force``, and a path that is one of ``protect`` (the input
    documents, the model) or an existing file inside one of them. ``owner`` is
    how messages name the path (``"path"``, or a command-line flag).

    Returns
    -------
    path : Path
    """
    path = Path(path)
    shown = os.fspath(path)
    if not path.name or path.name in (".", ".."):
        raise InputError(f"'{shown}' names no file; give {owner} a file name such as topics.csv.")
    if os.path.isdir(path):
        raise InputError(f"'{shown}' is a folder; give {owner} a file name such as topics.csv.")
    if not path.resolve().parent.is_dir():
        raise InputError(f"The folder of '{shown}' does not exist; create it or choose another {owner}.")
    resolved = path.resolve()
    for protected in protect:
        protected = Path(protected).resolve()
        if resolved == protected or (_within(resolved, protected) and os.path.lexists(path)):
            raise InputError(f"'{shown}' would overwrite the input '{protected}'; choose another {owner}.")
    if os.path.lexists(path) and not force:
        raise InputError(f"'{shown}' exists; pass force=True to replace it or choose another {owner}.")
    return path


# -- staging and the swap ---------------------------------------------------------------------


def _side_name(target: Path, kind: str, token: str) -> Path:
    return target.parent / f".{target.name}.topicnmf-{kind}-{os.getpid()}-{token}"


def _make_marked_dir(path: Path, token: str) -> None:
    """``mkdir`` under the umask, then the marker that proves the folder ours; an
    :class:`InputError` naming the parent folder if either fails."""
    marker = {"pid": os.getpid(), "token": token, "host": socket.gethostname(), "created": time.time()}
    made = False
    try:
        os.mkdir(path, 0o777)
        made = True
        _write_new(path / MARKER_FILE, json.dumps(marker).encode("utf-8"))
    except OSError as error:
        if made:
            _remove_tree(path)
        raise InputError(f"Cannot write in the folder '{path.parent}' ({error.strerror or error}); "
                         "choose another out_dir.") from None


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def _remove_tree(path: Path) -> None:
    """Remove a folder of ours; ``shutil.rmtree`` never follows links inside it."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(path, ignore_errors=True)


def _swap_in(staging: Path, target: Path, *, force: bool, protect: Iterable[str | Path], token: str) -> None:
    """Move ``staging`` onto ``target``, checking ``target`` again as it is taken."""
    os.unlink(staging / MARKER_FILE)
    reason = _refusal(target, force=force, protect=protect)
    if reason is not None:
        raise InputError(reason)
    try:
        os.mkdir(target)  # claims the name: fails if anything is there
    except FileExistsError:
        if not force:
            raise InputError(
                f"Output folder '{target}' was created by someone else during the run; "
                "pass force=True to replace it or choose another out_dir."
            ) from None
        _replace_existing(staging, target, protect=protect, token=token)
        return
    try:
        os.rename(staging, target)  # onto the empty folder just made: atomic
    except OSError:
        try:
            os.rmdir(target)
        except OSError:
            pass
        raise InputError(
            f"Output folder '{target}' was written by someone else during the run; choose another out_dir."
        ) from None


def _replace_existing(staging: Path, target: Path, *, protect, token: str) -> None:
    """Set the old folder aside (in a marked folder), move the new one in, remove the old one."""
    aside = _side_name(target, "old", token)
    _make_marked_dir(aside, token)
    old = aside / target.name
    os.rename(target, old)
    info = os.lstat(old)
    if not stat.S_ISDIR(info.st_mode) or not (is_run_folder(old) or _is_empty_dir(old)):
        os.rename(old, target)  # it changed since the check: put it back untouched
        _remove_tree(aside)
        raise InputError(
            f"Output folder '{target}' was replaced by something topicnmf did not write during the run; "
            "choose another out_dir."
        )
    try:
        os.rename(staging, target)
    except OSError:
        try:
            os.rename(old, target)
        except OSError:
            pass  # the old folder stays aside; a later run puts it back or removes it
        else:
            _remove_tree(aside)
        raise InputError(f"Output folder '{target}' changed during the run; run again.") from None
    _remove_tree(aside)


@contextmanager
def staged_folder(
    target: str | Path, *, force: bool = False, protect: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """A fresh staging folder beside ``target``, moved onto ``target`` if the block succeeds.

    The staging folder is made with ``mkdir`` under the process's umask (so the
    run folder gets the usual permissions) and removed if the block raises or is
    interrupted. Stale staging folders of dead runs beside ``target`` are swept
    first (:func:`sweep_stale`). At the end ``target`` is checked again and taken
    atomically (see the module's rules).

    Parameters
    ----------
    target : str or Path
        The output folder.
    force : bool, default=False
        Replace an existing run folder (or an empty folder).
    protect : iterable of str or Path, default=()
        Paths that the output folder must neither be nor hold.

    Yields
    ------
    staging : Path
        The folder to write into.
    """
    target = check_output_dir(target, force=force, protect=protect)
    target = target.parent.resolve() / target.name
    protect = tuple(protect)
    sweep_stale(target.parent)
    token = secrets.token_hex(8)
    staging = _side_name(target, "staging", token)
    _make_marked_dir(staging, token)
    try:
        yield staging
        _swap_in(staging, target, force=force, protect=protect, token=token)
    finally:
        _remove_tree(staging)


# -- stale staging ----------------------------------------------------------------------------


def _process_is_dead(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def _proven_stale(entry: os.DirEntry) -> re.Match | None:
    """The name's parts if ``entry`` is a staging folder of ours whose process is dead."""
    match = _STAGING.match(entry.name)
    if match is None:
        return None
    try:
        info = entry.stat(follow_symlinks=False)
        if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            return None
        fd = os.open(os.path.join(entry.path, MARKER_FILE), os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as stream:
            marker = json.loads(stream.read(4096).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    pid = int(match["pid"])
    if (
        not isinstance(marker, dict)
        or marker.get("pid") != pid
        or marker.get("token") != match["token"]
        or marker.get("host") != socket.gethostname()
        or not _process_is_dead(pid)
    ):
        return None
    return match


def sweep_stale(parent: str | Path) -> list[str]:
    """Remove the staging folders in ``parent`` that dead topicnmf runs left behind.

    Only folders are touched whose name has the staging form, that are real
    folders owned by this user, and whose marker names a process of this host
    that no longer exists. A replaced run folder set aside by such a run is moved
    back to its name if the name is free, and removed otherwise (it was being
    replaced on request).

    Returns
    -------
    removed : list of str
        Names of the folders swept.
    """
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        match = _proven_stale(entry)
        if match is None:
            continue
        if match["kind"] == "old":
            kept, home = Path(entry.path) / match["name"], Path(parent) / match["name"]
            try:
                if os.path.lexists(kept) and not os.path.lexists(home):
                    os.rename(kept, home)
            except OSError:
                continue
        _remove_tree(Path(entry.path))
        removed.append(entry.name)
    return removed


# -- files inside a folder, without following links -------------------------------------------


class OutputFolder:
    """An existing folder to write files into without following symbolic links inside it.

    The folder itself is opened once (as given); every file is created under a
    temporary name with ``O_CREAT | O_EXCL | O_NOFOLLOW`` and renamed onto its
    name relative to the open folder, so a link at that name is replaced, never
    written through, and a sub-folder that is a link is refused.

    Use as a context manager::

        with OutputFolder(run_dir) as folder:
            folder.write_bytes("report.html", page)
            with folder.subfolder("plots") as plots:
                plots.write_bytes("top_words.png", png)
    """

    def __init__(self, path: str | Path, *, _fd: int | None = None):
        self.path = Path(path)
        self._fd = _fd

    def __enter__(self) -> "OutputFolder":
        if self._fd is None and _DIR_FD:
            self._fd = os.open(self.path, os.O_RDONLY | _DIRECTORY)
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def subfolder(self, name: str) -> "OutputFolder":
        """The sub-folder ``name`` (made if missing); a link or a file there is refused."""
        path = self.path / name
        try:
            os.mkdir(name if self._fd is not None else path, 0o777, **self._at())
        except FileExistsError:
            pass
        if self._fd is not None:
            try:
                fd = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=self._fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise InputError(_not_a_folder(path)) from None
                raise
            return OutputFolder(path, _fd=fd)
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise InputError(_not_a_folder(path))
        return OutputFolder(path)

    def _at(self) -> dict:
        return {} if self._fd is None else {"dir_fd": self._fd}

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write ``data`` to the file ``name`` whole: a temporary file, then a rename onto the name."""
        temporary = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        where = temporary if self._fd is not None else self.path / temporary
        fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666, **self._at())
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            if self._fd is not None:
                os.rename(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
            else:
                os.replace(where, self.path / name)
        except BaseException:
            try:
                os.unlink(where, **self._at())
            except OSError:
                pass
            raise
        return self.path / name


def _not_a_folder(path: Path) -> str:
    return (
        f"'{path}' is a symbolic link or a file, not a folder; topicnmf does not write through links: "
        "remove it and run again."
    )


def write_file_atomic(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` whole (temporary file beside it, then a rename), never through a link.

    The parent folder must exist. A link at ``path`` is replaced by the file,
    not followed.
    """
    path = Path(path)
    if not path.name:
        raise InputError(f"'{path}' names no file; give a file path.")
    parent = path.parent
    try:
        info = os.stat(parent)
    except FileNotFoundError:
        raise InputError(f"The folder of '{path}' does not exist; create it or choose another path.") from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"The folder of '{path}' is not a folder; choose another path.")
    try:
        target = os.lstat(path)
    except FileNotFoundError:
        target = None
    if target is not None and stat.S_ISDIR(target.st_mode):
        raise InputError(f"'{path}' is a folder; give a file path.")
    with OutputFolder(parent) as folder:
        folder.write_bytes(path.name, data)
    return path


def write_files(folder: OutputFolder, files: dict[str, bytes]) -> None:
    """Write ``{relative name: bytes}`` into ``folder``, one level of sub-folders, no links followed."""
    subfolders: dict[str, OutputFolder] = {}
    try:
        for name, data in files.items():
            head, _, tail = name.rpartition("/")
            target = folder
            if head:
                if head not in subfolders:
                    subfolders[head] = folder.subfolder(head).__enter__()
                target = subfolders[head]
            target.write_bytes(tail, data)
    finally:
        for sub in subfolders.values():
            sub.__exit__(None, None, None)


def write_run_file(folder: OutputFolder, run: dict) -> None:
    """Write ``run`` (a :func:`run_record`) as the folder's :data:`RUN_FILE`, the mark of a run folder."""
    folder.write_bytes(RUN_FILE, json.dumps(run, indent=2, default=str).encode("utf-8"))
