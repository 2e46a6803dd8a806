"""Reading and writing images: PNG/JPEG through Pillow, ``.npy``, whitespace matrix files.

Every reader checks what it returns the same way (:func:`check_pixels`): a 2-D
(grey) or 3-D (colour, channels last) array of finite non-negative numbers, with
sizes bounded by :data:`MAX_PIXELS` and :data:`MAX_FILE_BYTES`. Pillow is
imported where it is used.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from topicnmf.errors import InputError

__all__ = [
    "MATRIX_SUFFIXES",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "encode_image",
    "pillow_format",
    "read_image",
    "read_image_stack",
    "write_image",
]

#: Suffixes read and written as whitespace matrix files (``np.loadtxt``/``np.savetxt``).
MATRIX_SUFFIXES = (".txt", ".dat", ".csv", ".tsv", ".mat.txt")
#: Largest image read, in pixels (Pillow's own guard against decompression bombs is 89M).
MAX_PIXELS = 50_000_000
#: Largest ``.npy`` or matrix file read, in bytes.
MAX_FILE_BYTES = 512 * 2**20


def _regular_file(path: Path, what: str) -> Path:
    if not path.exists():
        raise InputError(f"{what} '{path}' does not exist; check the path.")
    if not path.is_file():
        raise InputError(f"{what} '{path}' is not a regular file; pass an image file.")
    return path


def check_pixels(image: np.ndarray, where: str) -> np.ndarray:
    """A 2-D (grey) or 3-D (colour, channels last) array of finite non-negative numbers.

    ``where`` names the input in the messages: "the image passed to compress",
    "image 'photo.png'".
    """
    if image.dtype == bool or not (np.issubdtype(image.dtype, np.integer)
                                   or np.issubdtype(image.dtype, np.floating)):
        raise InputError(f"The values of {where} must be numbers. Got dtype {image.dtype}.")
    if image.ndim not in (2, 3) or image.size == 0:
        raise InputError(
            f"The array of {where} must be a non-empty 2-D (grey) or 3-D (rows, columns, "
            f"channels) array. Got shape {image.shape}."
        )
    if np.issubdtype(image.dtype, np.floating) and not np.isfinite(image).all():
        raise InputError(f"NaN or infinity in {where}; remove them first.")
    if image.min() < 0:
        raise InputError(
            f"Negative values in {where}: an image must be non-negative; shift or clip it first."
        )
    return image


def read_image(path: str | Path) -> np.ndarray:
    """Read an image: PNG, JPEG (through Pillow), ``.npy`` or a whitespace matrix file.

    Parameters
    ----------
    path : str or Path
        ``.npy``: an array saved by numpy (no pickles); ``.txt``, ``.dat``,
        ``.csv``, ``.tsv``: a matrix of numbers, one image row per line, as
        ``np.loadtxt`` reads it (commas are separators in ``.csv``); anything
        else: an image file Pillow reads.

    Returns
    -------
    image : ndarray of shape (rows, columns) or (rows, columns, 3)
        Grey images are 2-D, colour images RGB (an alpha channel or a palette is
        dropped). Pillow images keep their integer dtype (``uint8`` for 8-bit
        images); matrix files give ``float64``.

    Raises
    ------
    InputError
        The file is missing, unreadable, larger than ``MAX_PIXELS`` pixels or
        ``MAX_FILE_BYTES`` bytes, or holds negative, NaN or non-numeric values.
    """
    path = _regular_file(Path(path), "Image")
    suffix = path.suffix.lower()
    if suffix == ".npy" or suffix in MATRIX_SUFFIXES:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"Image '{path}' is larger than {MAX_FILE_BYTES // 2**20} MB; "
                             "crop or downsample it first.")
        try:
            if suffix == ".npy":
                image = np.load(path, allow_pickle=False)
            else:
                image = np.loadtxt(path, delimiter="," if suffix == ".csv" else None, ndmin=2)
        except (ValueError, OSError, EOFError) as error:
            first = (str(error).splitlines()[0] if str(error) else type(error).__name__).rstrip(".")
            separator = "commas" if suffix == ".csv" else "whitespace"
            remedy = ("pass a .npy file of one numeric array" if suffix == ".npy" else
                      f"a matrix file holds numbers only, one row a line, separated by {separator}")
            raise InputError(f"Cannot read image '{path}': {first}; {remedy}.") from None
        return check_pixels(np.asarray(image), f"image '{path}'")
    return _read_pillow(path)


def _read_pillow(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            if im.width * im.height > MAX_PIXELS:
                raise InputError(
                    f"Image '{path}' has {im.width * im.height:,} pixels, more than "
                    f"{MAX_PIXELS:,}; downsample it first."
                )
            grey = im.mode in ("1", "L", "LA", "F") or im.mode.startswith("I")
            target = ("L" if im.mode in ("1", "LA") else im.mode) if grey else "RGB"
            im = im.convert(target) if target != im.mode else im
            image = np.asarray(im)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        reason = "not an image Pillow can read" if isinstance(error, UnidentifiedImageError) else str(error)
        raise InputError(f"Cannot read image '{path}': {reason}; pass a PNG, JPEG, .npy or "
                         "matrix file.") from None
    if image.dtype.byteorder not in ("=", "|"):
        image = image.astype(image.dtype.newbyteorder("="))
    return check_pixels(image, f"image '{path}'")


def encode_image(image: np.ndarray, suffix: str) -> bytes:
    """The bytes of ``image`` in the format ``suffix`` names (as :func:`read_image` reads it).

    Parameters
    ----------
    image : ndarray of shape (rows, columns) or (rows, columns, 3)
        For Pillow formats, ``uint8`` (``uint16``/``int32`` grey for PNG, as
        Pillow stores them).
    suffix : str
        ``".npy"``, a matrix suffix (``".txt"``, ``".dat"``, ``".csv"``,
        ``".tsv"``) or the suffix of an image format Pillow writes (``".png"``,
        ``".jpg"``...).

    Returns
    -------
    data : bytes

    Raises
    ------
    InputError
        The format cannot hold the image (colour in a matrix file, float in a
        JPEG), or Pillow writes no format of that suffix.

    Examples
    --------
    >>> import numpy as np
    >>> from topicnmf.images import encode_image
    >>> encode_image(np.array([[0, 1], [2, 3]]), ".txt")
    b'0 1\\n2 3\\n'
    """
    image = np.asarray(image)
    suffix = suffix.lower()
    stream = io.BytesIO()
    if suffix == ".npy":
        np.save(stream, image, allow_pickle=False)
    elif suffix in MATRIX_SUFFIXES:
        if image.ndim != 2:
            raise InputError(f"A matrix file ({suffix}) holds one grey image; cannot write shape "
                             f"{image.shape}; use .npy.")
        integer = np.issubdtype(image.dtype, np.integer)
        np.savetxt(stream, image, fmt="%d" if integer else "%.10g",
                   delimiter="," if suffix == ".csv" else " ")
    else:
        from PIL import Image

        name = pillow_format(suffix)
        if name is None:
            raise InputError(f"Cannot write an image as '{suffix}': Pillow writes no such format; "
                             "use .png or .npy.")
        try:
            Image.fromarray(image).save(stream, format=name)
        except (ValueError, KeyError, OSError, TypeError) as error:
            raise InputError(f"Cannot write this image as {suffix}: {error}; use .png or .npy.") from None
    return stream.getvalue()


def pillow_format(suffix: str) -> str | None:
    """The name of the format Pillow writes for ``suffix`` (``".jpg"`` -> ``"JPEG"``), else ``None``."""
    from PIL import Image

    name = Image.registered_extensions().get(suffix.lower())
    return name if name in Image.SAVE else None


def write_image(path: str | Path, image: np.ndarray) -> Path:
    """Write ``image`` in the format the suffix of ``path`` names (see :func:`encode_image`).

    Parameters
    ----------
    path : str or Path
        ``.npy``, a matrix suffix (``.txt``, ``.dat``, ``.csv``, ``.tsv``) or an
        image format Pillow writes (``.png``, ``.jpg``...).
    image : ndarray of shape (rows, columns) or (rows, columns, 3)
        As :func:`encode_image` takes it.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    data = encode_image(image, path.suffix)
    with open(path, "wb") as stream:
        stream.write(data)
    return path


def read_image_stack(path: str | Path) -> np.ndarray:
    """Read same-sized grey images: a folder of image files, or one ``.npy`` stack.

    Parameters
    ----------
    path : str or Path
        A folder (every file :func:`read_image` reads, in name order; colour
        images are turned grey by the mean of their channels), or a ``.npy``
        file of shape (n_images, rows, columns), or (n_images, n_pixels) with a
        square number of pixels.

    Returns
    -------
    images : ndarray of shape (n_images, rows, columns)
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(f"Folder '{path}' holds no image files; pass a folder of images or a .npy stack.")
        stack = []
        for file in files:
            image = read_image(file)
            if image.ndim == 3:
                image = image.mean(axis=2)
            if stack and image.shape != stack[0].shape:
                raise InputError(
                    f"Image '{file}' is {image.shape[0]} x {image.shape[1]}, not "
                    f"{stack[0].shape[0]} x {stack[0].shape[1]} like '{files[0]}'; "
                    "the images must all have the same size."
                )
            stack.append(np.asarray(image, dtype=np.float64))
        return np.stack(stack)
    images = read_image(path) if path.suffix.lower() == ".npy" else None
    if images is None:
        raise InputError(f"'{path}' is neither a folder of images nor a .npy stack.")
    return as_stack(images, None, f"'{path}'")


def as_stack(images, image_shape, whom: str) -> np.ndarray:
    """(n_images, rows, columns) from a 3-D stack or 2-D rows of pixels."""
    images = np.asarray(images)
    if images.ndim == 2:
        n, p = images.shape
        if image_shape is None:
            side = math.isqrt(p)
            if side * side != p:
                raise InputError(
                    f"The images passed to {whom} are rows of {p} pixels, not a square number; "
                    "pass image_shape or a 3-D (n_images, rows, columns) array."
                )
            image_shape = (side, side)
        if len(image_shape) != 2 or image_shape[0] * image_shape[1] != p:
            raise InputError(
                f"image_shape {tuple(image_shape)} passed to {whom} does not hold {p} pixels."
            )
        return images.reshape(n, *image_shape)
    if images.ndim != 3:
        raise InputError(
            f"The images passed to {whom} must be (n_images, rows, columns) or "
            f"(n_images, n_pixels). Got shape {images.shape}."
        )
    return images

