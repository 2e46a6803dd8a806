"""``topicnmf image``: compress a picture and find the parts of a stack of images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from topicnmf.errors import InputError

image_app = typer.Typer(
    help="Image compression and parts-based images with NMF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

INITS = ("svd", "random", "nndsvd", "nndsvda", "nndsvdar")


def _ranks(text: str) -> list[int]:
    """``-k 20`` or ``-k 5,10,20,50``: distinct positive ranks, in increasing order."""
    try:
        ranks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        ranks = []
    if not ranks or ranks[0] < 1:
        raise InputError(f"-k must be a positive rank or a list such as 5,10,20,50; got '{text}'.")
    return ranks


def _as_uint8(image):
    """An image Pillow writes as PNG: ``uint8`` as it is, anything else scaled to 0..255."""
    import numpy as np

    if image.dtype == np.uint8:
        return image
    low, high = float(image.min()), float(image.max())
    return np.rint((image.astype(np.float64) - low) / ((high - low) or 1.0) * 255).astype(np.uint8)


def _fitting_callback(progress, label: str, max_iter: int):
    task = progress.add_task(label, total=max_iter, detail="")

    def callback(info):
        progress.update(task, completed=info["iteration"], detail=f"loss {info['loss']:.6g}")

    return callback


@image_app.command()
def compress(
    photo: Annotated[Path, typer.Argument(help="A PNG/JPEG image, a .npy array or a whitespace matrix file.")],
    ranks: Annotated[str, typer.Option("--components", "-k", help="Rank, or ranks such as 5,10,20,50.")] = "20",
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder [default: <photo name>_nmf].")
    ] = None,
    init: Annotated[str, typer.Option("--init", help=f"Start: {', '.join(INITS)}.")] = "svd",
    max_iter: Annotated[int, typer.Option("--max-iter", min=1, help="Most NMF iterations.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the start.")] = 0,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output folder.")] = False,
):
    """Compress an image at rank k; write the reconstruction, a comparison and summary.json."""
    from topicnmf import images, reporting
    from topicnmf.cli import _progress, _user_errors, err, out

    with _user_errors():
        ks = _ranks(ranks)
        if init not in INITS:
            raise InputError(f"--init must be one of {', '.join(INITS)}; got '{init}'.")
        target = out_dir if out_dir is not None else Path(f"{photo.name.split('.')[0] or 'image'}_nmf")
        reporting.check_output_dir(target, force=force)
        image = images.read_image(photo)
        results = []
        with _progress() as progress:
            for k in ks:
                results.append(images.compress(
                    image, k, init=None if init == "svd" else init, max_iter=max_iter, random_state=seed,
                    callback=_fitting_callback(progress, f"Factorizing k={k}", max_iter),
                ))
        suffix = photo.suffix.lower() if photo.suffix else ".npy"
        summary = {"image": str(photo), "shape": list(image.shape), "dtype": str(image.dtype),
                   "file_bytes": photo.stat().st_size, "results": []}
        with reporting._staging(target) as staging:
            for result in results:
                k = result.n_components
                name = f"reconstruction_k{k}{suffix}"
                images.write_image(staging / name, result.reconstruction)
                picture = images.side_by_side(*(_as_uint8(a) for a in (
                    image, result.reconstruction, result.svd_reconstruction)))
                images.write_image(staging / f"comparison_k{k}.png", picture)
                summary["results"].append({**result.summary(), "reconstruction": name,
                                           "reconstruction_bytes": (staging / name).stat().st_size})
            if len(results) > 1:
                images.plot_psnr(results).savefig(staging / "psnr_vs_k.png", dpi=120)
            (staging / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
            reporting._replace_dir(staging, target)

    table = Table(title=f"NMF compression of {photo.name} ({' x '.join(map(str, image.shape))})")
    for column in ("k", "PSNR dB", "SVD PSNR dB", "SSIM", "stored", "ratio", "iter", "time s"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r.n_components), f"{r.psnr:.2f}", f"{r.svd_psnr:.2f}", f"{r.ssim:.3f}",
                      f"{r.n_stored:,}", f"{r.ratio:.1f}", str(r.n_iter), f"{r.fit_time:.2f}")
    out.print(table)
    err.print(f"Wrote {target}", highlight=False)


@image_app.command()
def parts(
    source: Annotated[Path, typer.Argument(help="A folder of same-sized images, or a .npy stack.")],
    k: Annotated[int, typer.Option("--components", "-k", min=1, help="Number of parts.")] = 16,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder [default: <name>_parts].")
    ] = None,
    max_iter: Annotated[int, typer.Option("--max-iter", min=1, help="Most NMF iterations.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the start.")] = 0,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output folder.")] = False,
):
    """Find the parts of a stack of images; write the basis grid and the error."""
    from topicnmf import images, reporting
    from topicnmf.cli import _progress, _user_errors, err, out

    with _user_errors():
        target = out_dir if out_dir is not None else Path(f"{source.name.split('.')[0] or 'images'}_parts")
        reporting.check_output_dir(target, force=force)
        stack = images.read_image_stack(source)
        with _progress() as progress:
            result = images.parts(stack, k, max_iter=max_iter, random_state=seed,
                                  callback=_fitting_callback(progress, f"Factorizing k={k}", max_iter))
        zoom = max(1, 256 // max(stack.shape[1:]))
        with reporting._staging(target) as staging:
            grid = result.grid(zoom=zoom)
            images.write_image(staging / "parts.png", (grid * 255).round().astype("uint8"))
            images.write_image(staging / "components.npy", result.components)
            summary = {"source": str(source), **result.summary()}
            (staging / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
            reporting._replace_dir(staging, target)

    n, r, c = stack.shape
    table = Table(title=f"NMF parts of {source.name}")
    for column in ("images", "size", "k", "|X-WH|/|X|", "iter", "time s"):
        table.add_column(column, justify="right")
    table.add_row(str(n), f"{r} x {c}", str(k), f"{result.relative_err:.4f}", str(result.n_iter),
                  f"{result.fit_time:.2f}")
    out.print(table)
    err.print(f"Wrote {target}", highlight=False)
