"""``topicnmf image compress`` and ``topicnmf image parts``: NMF of pictures.

Each command parses its options, calls :mod:`topicnmf.images` and writes the
run folder through :mod:`topicnmf.reporting.images`; heavy libraries are
imported inside the command bodies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from topicnmf.cli._console import Progress, inert, out, say
from topicnmf.cli._errors import user_errors
from topicnmf.errors import InputError

__all__ = ["app", "compress", "parts"]

app = typer.Typer(
    help="Image compression and parts-based images with NMF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

INITS = ("svd", "random", "nndsvd", "nndsvda", "nndsvdar")

Seed = Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Random seed of the start.")]
MaxIter = Annotated[int, typer.Option("--max-iter", min=1, help="Most NMF iterations.")]
Force = Annotated[bool, typer.Option("--force", "-f", help="Replace an earlier run folder.")]


def ranks(text: str) -> list[int]:
    """``-k 20`` or ``-k 5,10,20,50``: distinct positive ranks, in increasing order."""
    try:
        found = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        found = []
    if not found or found[0] < 1:
        raise InputError(
            f"The --components option must be a positive rank or ranks such as 5,10,20,50. Got '{text}'."
        )
    return found


def default_out(source: Path, tail: str) -> Path:
    return Path(f"{source.name.split('.')[0] or 'image'}_{tail}")


def _factorizing(progress: Progress, k: int, max_iter: int):
    """The library's per-iteration callback as one progress stage for rank ``k``."""
    progress.stage(f"k={k}", total=max_iter)

    def callback(info):
        progress.update(info["iteration"], detail=f"loss {info['loss']:.6g}")

    return callback


def compress(
    photo: Annotated[Path, typer.Argument(help="A PNG/JPEG image, a .npy array or a whitespace matrix file.")],
    components: Annotated[str, typer.Option("--components", "-k", help="Rank, or ranks such as 5,10,20,50.")] = "20",
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder [default: <photo name>_nmf].")
    ] = None,
    init: Annotated[str, typer.Option("--init", help=f"Start: {', '.join(INITS)}.")] = "svd",
    max_iter: MaxIter = 100,  # topicnmf.images.compress's default (tests/test_cli_image.py)
    seed: Seed = 0,
    force: Force = False,
):
    """Compress an image at rank k; write the reconstruction, original | NMF | SVD, and summary.json."""
    with user_errors(), Progress() as progress:
        from topicnmf import images, reporting

        ks = ranks(components)
        if init not in INITS:
            raise InputError(f"The --init option must be one of {', '.join(INITS)}. Got '{init}'.")
        target = out_dir if out_dir is not None else default_out(photo, "nmf")
        reporting.check_output_dir(target, force=force, protect=[photo])
        progress.stage("read")
        image = images.read_image(photo)
        results = [
            images.compress(
                image, k, init=None if init == "svd" else init, max_iter=max_iter, random_state=seed,
                callback=_factorizing(progress, k, max_iter),
            )
            for k in ks
        ]
        progress.stage("writing")
        settings = {"components": ks, "init": init, "max_iter": max_iter, "seed": seed}
        reporting.write_compression(image, results, target, source=photo, settings=settings, force=force)
    out(compression_table(photo, image, results))
    say(f"Wrote {target}")


def compression_table(photo: Path, image, results):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(inert(f"NMF compression of {photo.name} ({' x '.join(map(str, image.shape))})")))
    for column in ("k", "PSNR dB", "SVD PSNR dB", "SSIM", "stored", "ratio", "iter", "time s"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r.n_components), f"{r.psnr:.2f}", f"{r.svd_psnr:.2f}", f"{r.ssim:.3f}",
                      f"{r.n_stored:,}", f"{r.ratio:.1f}", str(r.n_iter), f"{r.fit_time:.2f}")
    return table


def parts(
    source: Annotated[Path, typer.Argument(help="A folder of same-sized images, or a .npy stack.")],
    components: Annotated[int, typer.Option("--components", "-k", min=1, help="Number of parts.")] = 16,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder [default: <name>_parts].")
    ] = None,
    max_iter: MaxIter = 200,
    seed: Seed = 0,
    force: Force = False,
):
    """Find the parts of a stack of images; write the basis grid and the reconstruction error."""
    with user_errors(), Progress() as progress:
        from topicnmf import images, reporting

        target = out_dir if out_dir is not None else default_out(source, "parts")
        reporting.check_output_dir(target, force=force, protect=[source])
        progress.stage("read")
        stack = images.read_image_stack(source)
        result = images.parts(stack, components, max_iter=max_iter, random_state=seed,
                              callback=_factorizing(progress, components, max_iter))
        progress.stage("writing")
        settings = {"components": components, "max_iter": max_iter, "seed": seed}
        reporting.write_parts(result, target, source=source, settings=settings, force=force)
    out(parts_table(source, stack, result))
    say(f"Wrote {target}")


def parts_table(source: Path, stack, result):
    from rich.table import Table
    from rich.text import Text

    n, r, c = stack.shape
    table = Table(title=Text(inert(f"NMF parts of {source.name}")))
    for column in ("images", "size", "k", "|X-WH|/|X|", "iter", "time s"):
        table.add_column(column, justify="right")
    table.add_row(str(n), f"{r} x {c}", str(result.components.shape[0]), f"{result.relative_err:.4f}",
                  str(result.n_iter), f"{result.fit_time:.2f}")
    return table


app.command()(compress)
app.command()(parts)
