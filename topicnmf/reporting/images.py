"""Run folders of image compression and image parts, written like every run folder.

:func:`write_compression` and :func:`write_parts` write what ``topicnmf image
compress`` and ``topicnmf image parts`` leave behind, through
:func:`~topicnmf.reporting.output.staged_folder` (staged, swapped in atomically,
never through a link) and marked by ``run.json`` with ``"command"`` naming what
wrote it, so ``force=True`` may replace the folder later.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from topicnmf._validation import check_bool, check_int, parameter_error
from topicnmf.images import MATRIX_SUFFIXES, encode_image, pillow_format, side_by_side
from topicnmf.reporting.output import (
    OutputFolder, figure_png, run_record, staged_folder, write_files, write_run_file,
)

__all__ = ["as_uint8", "reconstruction_suffix", "write_compression", "write_parts"]


def reconstruction_suffix(source: str | Path) -> str:
    """The suffix a reconstruction of ``source`` is written with: the source's own, if it can be written.

    ``.npy`` and matrix files keep their suffix, as do image formats Pillow
    writes (``.png``, ``.jpg``, ``.tif``...); anything else (no suffix, a format
    Pillow reads but does not write) gets ``.png``.
    """
    suffix = Path(source).suffix.lower()
    if suffix == ".npy" or suffix in MATRIX_SUFFIXES:
        return suffix
    return suffix if suffix and pillow_format(suffix) is not None else ".png"


def as_uint8(image: np.ndarray) -> np.ndarray:
    """``image`` as 8 bits for a PNG: ``uint8`` as it is, anything else scaled from its range to 0..255."""
    if image.dtype == np.uint8:
        return image
    low, high = float(image.min()), float(image.max())
    return np.rint((image.astype(np.float64) - low) / ((high - low) or 1.0) * 255).astype(np.uint8)


def _record(command: str, source, settings: dict) -> dict:
    return run_record(command=command, source=None if source is None else str(source), settings=settings)


def _write(staging: Path, files: dict[str, bytes], run: dict) -> None:
    with OutputFolder(staging) as folder:
        write_files(folder, files)
        write_run_file(folder, run)


def _protect(source) -> list:
    return [source] if source is not None and os.path.lexists(source) else []


def write_compression(
    image: np.ndarray,
    results: Sequence,
    out_dir: str | Path,
    *,
    source: str | Path | None = None,
    suffix: str | None = None,
    settings: dict | None = None,
    force: bool = False,
    dpi: int = 120,
) -> dict:
    """Write the run folder of :func:`~topicnmf.images.compress` at one or more ranks, all or nothing.

    Files, for each rank ``k``: ``reconstruction_k{k}{suffix}`` (the
    reconstruction in the image's format) and ``comparison_k{k}.png`` (original
    | NMF | truncated SVD, 8-bit, with white gaps); with more than one rank,
    ``psnr_vs_k.png`` (:func:`~topicnmf.images.plot_psnr`); ``summary.json``
    (the image's shape, dtype and file size, and per rank
    :meth:`Compression.summary <topicnmf.images.Compression.summary>` with the
    reconstruction's file name and size); and ``run.json``, the mark of a run
    folder (``"command": "image compress"``).

    Parameters
    ----------
    image : ndarray of shape (rows, columns) or (rows, columns, channels)
        The image that was compressed.
    results : sequence of Compression
        One per rank, as :func:`~topicnmf.images.compress` returns them.
    out_dir : str or Path
        The output folder; it must not exist unless ``force``.
    source : str, Path or None, default=None
        The image file: recorded, its size reported, and ``out_dir`` may neither
        be nor hold it.
    suffix : str or None, default=None
        Format of the reconstructions; None: :func:`reconstruction_suffix` of
        ``source``, or ``.npy`` without one.
    settings : dict or None, default=None
        The run's settings, recorded in ``run.json``.
    force : bool, default=False
        Replace an existing run folder (or an empty folder); any other is refused.
    dpi : int, default=120
        Resolution of ``psnr_vs_k.png``.

    Returns
    -------
    summary : dict
        What ``summary.json`` holds.
    """
    force = check_bool(force, "force", "write_compression")
    dpi = check_int(dpi, "dpi", "write_compression")
    if not results:
        raise parameter_error("results", "write_compression", "a non-empty sequence of Compression", results)
    if suffix is None:
        suffix = ".npy" if source is None else reconstruction_suffix(source)
    image = np.asarray(image)
    summary = {
        "image": None if source is None else str(source),
        "shape": list(image.shape),
        "dtype": str(image.dtype),
        "file_bytes": None if source is None else os.stat(source).st_size,
        "results": [],
    }
    files = {}
    for result in results:
        k = result.n_components
        name = f"reconstruction_k{k}{suffix}"
        files[name] = encode_image(result.reconstruction, suffix)
        picture = side_by_side(*(as_uint8(a) for a in (image, result.reconstruction, result.svd_reconstruction)))
        files[f"comparison_k{k}.png"] = encode_image(picture, ".png")
        summary["results"].append({**result.summary(), "reconstruction": name, "reconstruction_bytes": len(files[name])})
    if len(results) > 1:
        from topicnmf.images import plot_psnr

        files["psnr_vs_k.png"] = figure_png(plot_psnr(results), dpi)
    files["summary.json"] = json.dumps(summary, indent=2).encode("utf-8")
    run = _record("image compress", source, dict(settings or {}))
    with staged_folder(out_dir, force=force, protect=_protect(source)) as staging:
        _write(staging, files, run)
    return summary


def write_parts(
    result,
    out_dir: str | Path,
    *,
    source: str | Path | None = None,
    settings: dict | None = None,
    force: bool = False,
    zoom: int | None = None,
) -> dict:
    """Write the run folder of :func:`~topicnmf.images.parts`, all or nothing.

    Files: ``parts.png`` (the basis images as a grid, each scaled to its own
    maximum, 8-bit), ``components.npy`` (the basis images, ``(k, rows,
    columns)``), ``summary.json`` (:meth:`Parts.summary
    <topicnmf.images.Parts.summary>` and the source) and ``run.json``
    (``"command": "image parts"``).

    Parameters
    ----------
    result : Parts
        As :func:`~topicnmf.images.parts` returns it.
    out_dir : str or Path
        The output folder; it must not exist unless ``force``.
    source : str, Path or None, default=None
        The folder or ``.npy`` stack: recorded, and ``out_dir`` may neither be nor hold it.
    settings : dict or None, default=None
        The run's settings, recorded in ``run.json``.
    force : bool, default=False
        Replace an existing run folder (or an empty folder); any other is refused.
    zoom : int or None, default=None
        Pixels per basis-image pixel in ``parts.png``; None: enough for about
        256 pixels a side.

    Returns
    -------
    summary : dict
        What ``summary.json`` holds.
    """
    force = check_bool(force, "force", "write_parts")
    size = max(result.components.shape[1:])
    zoom = max(1, 256 // size) if zoom is None else check_int(zoom, "zoom", "write_parts")
    summary = {"source": None if source is None else str(source), **result.summary()}
    grid = np.rint(result.grid(zoom=zoom) * 255).astype(np.uint8)
    files = {
        "parts.png": encode_image(grid, ".png"),
        "components.npy": encode_image(result.components, ".npy"),
        "summary.json": json.dumps(summary, indent=2).encode("utf-8"),
    }
    run = _record("image parts", source, dict(settings or {}))
    with staged_folder(out_dir, force=force, protect=_protect(source)) as staging:
        _write(staging, files, run)
    return summary
