"""Reading and writing a model folder safely: JSON for state, ``.npz`` for arrays, no pickle.

Reading is as strict as fitting. Before an array is read, the ``.npz`` archive
must hold only the members expected, each an ``.npy`` of an allowed dtype whose
declared shape fits the state already read and whose declared size matches the
bytes stored (so a small crafted file cannot make the reader allocate gigabytes).
After reading, values are checked (finite, non-negative, ids in range). Every
failure is one :class:`~topicnmf.errors.InputError` line naming the file and the remedy.
"""

from __future__ import annotations

import importlib
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from topicnmf.errors import InputError

#: Largest ``model.json`` read, in bytes (a model of a million documents stays far below).
MAX_JSON_BYTES = 2 << 30
#: Largest array read from ``arrays.npz``, in bytes.
MAX_ARRAY_BYTES = 16 << 30

REMEDY = "fit and save the model again"


def corrupt(path: Path, what: str) -> InputError:
    """The one message form of a damaged model file."""
    return InputError(f"'{path}' is corrupt: {what}; {REMEDY}.")


@dataclass(frozen=True)
class ArraySpec:
    """What one ``.npz`` member may hold: dtype kinds ('f', 'i', 'u'), and its shape.

    ``shape`` entries are ints or ``None`` (any length); ``required=False``
    members may be absent.
    """

    kinds: str
    shape: tuple
    required: bool = True


def read_json(path: Path) -> Any:
    """A JSON file of bounded size and depth."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise corrupt(path, f"{size} bytes is more than the {MAX_JSON_BYTES} a model file may have")
        with open(path, "rb") as stream:
            text = stream.read(MAX_JSON_BYTES + 1).decode("utf-8")
        return json.loads(text)
    except InputError:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise corrupt(path, f"not JSON ({type(error).__name__} at {getattr(error, 'pos', '?')})") from None
    except RecursionError:
        raise corrupt(path, "JSON nested too deeply") from None
    except OSError as error:
        raise InputError(f"Cannot read '{path}' ({error.strerror}); check the file's permissions.") from None


def _npy_header(stream) -> tuple[tuple, np.dtype]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"npy format version {version}")
    return shape, dtype


def read_npz(path: Path, specs: dict[str, ArraySpec]) -> dict[str, np.ndarray]:
    """The members of ``path`` named in ``specs``, each checked before it is read."""
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            names = {name.removesuffix(".npy"): name for name in members}
            unexpected = sorted(set(names) - set(specs))
            if unexpected or len(names) != len(members):
                raise corrupt(path, f"unexpected members {unexpected[:5]}")
            missing = sorted(n for n, spec in specs.items() if spec.required and n not in names)
            if missing:
                raise corrupt(path, f"missing arrays {missing}")
            for name, member in names.items():
                spec, info = specs[name], members[member]
                with archive.open(info) as stream:
                    shape, dtype = _npy_header(stream)
                    if dtype.hasobject or dtype.kind not in spec.kinds:
                        raise corrupt(path, f"array '{name}' has dtype {dtype}, expected kind {spec.kinds!r}")
                    if len(shape) != len(spec.shape) or any(
                        want is not None and got != want for got, want in zip(shape, spec.shape)
                    ):
                        raise corrupt(path, f"array '{name}' has shape {shape}, expected {spec.shape}")
                    nbytes = math.prod(shape) * dtype.itemsize
                    if nbytes > MAX_ARRAY_BYTES or nbytes > info.file_size:
                        raise corrupt(path, f"array '{name}' declares {nbytes} bytes but stores {info.file_size}")
                with archive.open(info) as stream:  # read_array reads the header again
                    arrays[name] = np.lib.format.read_array(stream, allow_pickle=False)
    except InputError:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, KeyError, NotImplementedError) as error:
        raise corrupt(path, f"unreadable arrays ({type(error).__name__}: {str(error)[:120]})") from None
    return arrays


def check_values(path: Path, name: str, array: np.ndarray, *, low=None, high=None, finite=True) -> np.ndarray:
    """``array`` with every value finite and in ``[low, high]``, or a one-line error."""
    if array.size:
        if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
            raise corrupt(path, f"array '{name}' holds NaN or infinity")
        if low is not None and array.min() < low:
            raise corrupt(path, f"array '{name}' holds values below {low}")
        if high is not None and array.max() > high:
            raise corrupt(path, f"array '{name}' holds values above {high}")
    return array


def expect(path: Path, value: Any, kind: type | tuple, what: str) -> Any:
    """``value`` if it is a ``kind`` (bools are not ints), or a one-line error naming ``what``."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise corrupt(path, f"'{what}' must be {names}, not {type(value).__name__}")
    return value


def expect_list(path: Path, value: Any, kind: type | tuple, what: str, length: int | None = None) -> list:
    """A list of ``kind`` items (of ``length`` items if given)."""
    expect(path, value, list, what)
    if length is not None and len(value) != length:
        raise corrupt(path, f"'{what}' has {len(value)} entries, expected {length}")
    for item in value:
        expect(path, item, kind, f"{what}[]")
    return value


def saved_params(model, kinds: dict[str, type | tuple]) -> dict:
    """The constructor parameters named in ``kinds`` and ``random_state``, as JSON values.

    ``random_state`` is kept when it is an int or None; a ``RandomState`` instance
    (whose draws cannot be saved) is saved as None.
    """
    params = {name: getattr(model, name) for name in kinds}
    random_state = model.random_state
    params["random_state"] = random_state if isinstance(random_state, (int, type(None))) else None
    return params


def read_params(path: Path, state: dict, kinds: dict[str, type | tuple], before: dict | None = None) -> dict:
    """The parameters :func:`saved_params` wrote into ``state["params"]``, each of its kind.

    ``before``: values for parameters that folders saved before them lack.
    """
    params = expect(path, state.get("params"), dict, "params")
    before = before or {}
    found = {name: expect(path, params.get(name, before.get(name)), kind, f"params.{name}")
             for name, kind in kinds.items()}
    found["random_state"] = expect(path, params.get("random_state"), (int, type(None)), "params.random_state")
    return found


@dataclass(frozen=True)
class FolderFormat:
    """One kind of saved folder: its files, its format name and version, and its messages' words.

    The JSON file holds ``{"format": name, "format_version": version, ...}``. Messages
    call the folder a ``kind`` folder (a ``title`` when a file is missing), ask for
    ``folder`` and name ``saver`` as the writer.
    """

    name: str
    version: int
    json_name: str
    arrays_name: str
    kind: str
    title: str
    folder: str
    saver: str

    def state(self, model, params: dict[str, type | tuple], **entries) -> dict:
        """The JSON state of ``model``: ``format`` and ``format_version``, its parameters
        named in ``params`` (:func:`saved_params`), then ``entries``."""
        return {"format": self.name, "format_version": self.version, "params": saved_params(model, params),
                **entries}


def read_state(path: Path, fmt: FolderFormat) -> tuple[dict, Path, Path]:
    """``(state, json file, arrays file)`` of the folder ``path`` of format ``fmt``, checked."""
    f, arrays_file = path / fmt.json_name, path / fmt.arrays_name
    if not path.is_dir():
        raise InputError(f"No {fmt.kind} folder at '{path}'; pass {fmt.folder}.")
    if not f.is_file() or not arrays_file.is_file():
        raise InputError(f"'{path}' is not a {fmt.title}: it lacks {fmt.json_name} or {fmt.arrays_name}; "
                         f"pass {fmt.folder}.")
    state = read_json(f)
    if not isinstance(state, dict) or state.get("format") != fmt.name:
        raise InputError(f"'{f}' is not a topicnmf {fmt.kind} file; pass a folder written by {fmt.saver}.")
    if state.get("format_version") != fmt.version:
        raise InputError(f"'{f}' has format version {state.get('format_version')!r}, this topicnmf reads "
                         f"{fmt.version}; fit and save the {fmt.kind} again with this version.")
    return state, f, arrays_file


def model_files(state: dict, arrays: dict[str, np.ndarray], fmt: FolderFormat) -> dict[str, bytes]:
    """``state`` as JSON and ``arrays`` as an uncompressed ``.npz``: ``{file name: bytes}``.

    The in-memory form of :func:`write_model_folder`, for small states that go into a
    staged run folder with its other files.
    """
    import io

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return {fmt.arrays_name: buffer.getvalue(), fmt.json_name: json.dumps(state).encode("utf-8")}


def write_model_folder(path: Path, state: dict, arrays: dict[str, np.ndarray], fmt: FolderFormat) -> Path:
    """Write ``state`` as JSON and ``arrays`` as an uncompressed ``.npz`` into the folder ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    np.savez(path / fmt.arrays_name, **arrays)
    with open(path / fmt.json_name, "w", encoding="utf-8") as file:
        _dump_by_entry(state, file)
    return path


def _dump_by_entry(state: dict, file) -> None:
    """``json.dump(state, file)``, the same text, one top-level entry at a time.

    ``json.dump`` encodes in Python, piece by piece (about 0.3 s for the snippets
    and ids of 20,000 documents); ``json.dumps`` encodes in C but copies the
    whole text. Encoding each entry with ``dumps`` is as fast and holds one
    entry's text at a time.
    """
    file.write("{")
    for i, (key, value) in enumerate(state.items()):
        file.write(f"{', ' if i else ''}{json.dumps(str(key))}: {json.dumps(value)}")
    file.write("}")


class SavedAsFolder:
    """``save`` and ``load`` of a fitted model kept as a folder: JSON state, ``.npz`` arrays, no pickle.

    A class names the module that writes and reads its folder in ``_state_module``
    (a module with ``save_folder(model, path)`` and ``load_folder(cls, path)``) and
    lists the folder's files in its Notes.
    """

    _state_module: str

    def save(self, path: str | Path) -> Path:
        """Write the fitted model to the folder ``path`` (created if needed).

        The folder's files are listed in the class's Notes. Nothing is pickled.

        Parameters
        ----------
        path : str or Path
            The folder.

        Returns
        -------
        path : Path
            The folder written.
        """
        return importlib.import_module(self._state_module).save_folder(self, Path(path))

    @classmethod
    def load(cls, path: str | Path):
        """Read a folder written by :meth:`save`, checked as strictly as a fit.

        Parameters
        ----------
        path : str or Path
            The folder (see the class's Notes).

        Returns
        -------
        model
            A fitted model of this class that transforms and reports like the saved one.

        Raises
        ------
        InputError
            If the folder is not such a model or a file of it is damaged (wrong
            JSON types, unexpected or oversized arrays, NaN, infinite or negative
            weights, ids out of range): one line naming the file. Nothing is unpickled.
        """
        return importlib.import_module(cls._state_module).load_folder(cls, Path(path))
