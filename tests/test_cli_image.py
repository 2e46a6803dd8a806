"""``topicnmf image compress`` and ``topicnmf image parts``, through typer's CliRunner."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from topicnmf.cli import app
from topicnmf.images import read_image, write_image
from topicnmf.reporting.output import is_run_folder

pytest.importorskip("PIL")
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["image", *[str(a) for a in args]])


def assert_one_line_error(result, fragment, code=1):
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert fragment in errors[0], errors[0]


def photo(shape=(40, 50, 3)):
    """A smooth uint8 picture: waves of different directions per channel."""
    y, x = np.mgrid[: shape[0], : shape[1]]
    channels = [np.sin(0.11 * (c + 1) * y + 0.07 * (3 - c) * x) + np.cos(0.05 * x * (c + 1)) for c in range(shape[2])]
    image = np.stack(channels, axis=2)
    return np.rint((image - image.min()) / np.ptp(image) * 255).astype(np.uint8)


def test_compress_writes_a_marked_run_folder(tmp_path):
    source = write_image(tmp_path / "photo.png", photo())
    out = tmp_path / "out"
    result = invoke("compress", source, "-k", "2,5", "--out", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "reconstruction_k2.png", "reconstruction_k5.png", "comparison_k2.png", "comparison_k5.png",
        "psnr_vs_k.png", "summary.json", "run.json",
    }
    assert read_image(out / "reconstruction_k5.png").shape == (40, 50, 3)
    assert read_image(out / "comparison_k5.png").shape == (40, 3 * 50 + 2 * 8, 3)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["shape"] == [40, 50, 3] and summary["file_bytes"] == source.stat().st_size
    assert [r["n_components"] for r in summary["results"]] == [2, 5]
    first = summary["results"][0]
    assert {"psnr", "svd_psnr", "ratio", "n_stored", "fit_time", "loss_history"} <= set(first)
    assert len(first["loss_history"]) == first["n_iter"]
    assert first["reconstruction_bytes"] == (out / "reconstruction_k2.png").stat().st_size
    run = json.loads((out / "run.json").read_text())
    assert is_run_folder(out) and run["command"] == "image compress" and run["settings"]["components"] == [2, 5]
    assert "PSNR" in result.stdout and "SVD" in result.stdout
    assert not list(tmp_path.glob(".out.*")), "no staging folder is left behind"

    assert_one_line_error(invoke("compress", source, "-k", "2", "--out", out), "exists; pass --force")
    forced = invoke("compress", source, "-k", "3", "--out", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "reconstruction_k3.png").is_file() and not (out / "psnr_vs_k.png").exists()


def test_compress_keeps_the_format_of_a_matrix_file_and_force_spares_other_folders(tmp_path):
    matrix = tmp_path / "image.txt"
    np.savetxt(matrix, photo((20, 24, 1))[..., 0] / 10.0)
    result = invoke("compress", matrix, "-k", "3", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert read_image(tmp_path / "out" / "reconstruction_k3.txt").shape == (20, 24)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert_one_line_error(invoke("compress", matrix, "-k", "3", "-o", mine, "--force"), "was not written by topicnmf")
    assert (mine / "notes.txt").read_text() == "keep"
    assert_one_line_error(invoke("compress", matrix, "-o", tmp_path, "--force"), "holds the corpus")


@pytest.mark.parametrize(
    "make, args, fragment",
    [
        (lambda p: np.savetxt(p / "neg.txt", -np.ones((3, 3))), ("neg.txt",), "Negative values in image"),
        (lambda p: (p / "bad.png").write_text("x"), ("bad.png",), "Cannot read image"),
        (lambda p: np.save(p / "a.npy", np.ones((4, 6))), ("a.npy", "-k", "5"),
         "--components 5 is larger than the image (4 x 6); choose at most 4."),
        (lambda p: None, ("nothere.png",), "does not exist"),
        (lambda p: np.save(p / "a.npy", np.ones((4, 6))), ("a.npy", "-k", "two"),
         "The --components option must be a positive rank or ranks such as 5,10,20,50. Got 'two'."),
        (lambda p: np.save(p / "a.npy", np.ones((4, 6))), ("a.npy", "--init", "pca"),
         "The --init option must be one of svd, random, nndsvd, nndsvda, nndsvdar. Got 'pca'."),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_written(tmp_path, make, args, fragment):
    make(tmp_path)
    result = invoke("compress", tmp_path / args[0], *args[1:], "--out", tmp_path / "out")
    assert_one_line_error(result, fragment)
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*"))


def test_usage_errors_are_one_line(tmp_path):
    assert_one_line_error(invoke("compress"), "Missing argument", code=2)
    assert_one_line_error(invoke("parts", tmp_path, "-k", "0"), "--components", code=2)
    result = invoke("--help")
    assert result.exit_code == 0 and "compress" in result.stdout and "parts" in result.stdout


def test_parts_writes_the_grid_and_the_error(tmp_path):
    from sklearn.datasets import load_digits

    stack = tmp_path / "digits.npy"
    np.save(stack, load_digits().images[:300])
    out = tmp_path / "parts"
    result = invoke("parts", stack, "-k", 4, "--out", out)
    assert result.exit_code == 0, result.output
    grid = read_image(out / "parts.png")
    assert grid.dtype == np.uint8 and grid.shape == (17 * 32, 17 * 32)  # 2 x 2 parts, zoomed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_components"] == 4 and 0 < summary["relative_err"] < 1
    assert np.load(out / "components.npy").shape == (4, 8, 8)
    assert json.loads((out / "run.json").read_text())["command"] == "image parts"
    folder = tmp_path / "faces"
    folder.mkdir()
    write_image(folder / "a.png", np.zeros((4, 4), np.uint8))
    write_image(folder / "b.png", np.zeros((5, 4), np.uint8))
    assert_one_line_error(invoke("parts", folder, "-k", 1, "--out", tmp_path / "p2"), "same size")


def test_report_refuses_an_image_run_folder(tmp_path):
    out = tmp_path / "out"
    np.save(tmp_path / "a.npy", photo((12, 16, 1))[..., 0])
    assert invoke("compress", tmp_path / "a.npy", "-k", 2, "-o", out).exit_code == 0
    result = runner.invoke(app, ["report", str(out)])
    assert_one_line_error(result, "image compress")


def test_the_commands_default_iterations_are_the_library_s():
    import inspect

    from topicnmf import cli
    from topicnmf.images import compress, parts

    for command, function in ((cli.image.compress, compress), (cli.image.parts, parts)):
        shown = inspect.signature(command).parameters["max_iter"].default
        assert shown == inspect.signature(function).parameters["max_iter"].default
