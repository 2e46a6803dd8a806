"""topicnmf.images: reading and writing, quality measures, compression, parts, pictures."""

import json
import re
import warnings

import numpy as np
import pytest

from topicnmf.errors import InputError
from topicnmf.images import (
    Compression,
    compress,
    encode_image,
    image_grid,
    parts,
    plot_psnr,
    psnr,
    read_image,
    read_image_stack,
    side_by_side,
    ssim,
    write_image,
)

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402


def planted(shape=(48, 64), k=3, seed=0, scale=80.0):
    """A uint8 image of non-negative rank ``k`` (times ``shape[2]`` channels side by side)."""
    rng = np.random.RandomState(seed)
    r, c = shape[:2]
    channels = shape[2] if len(shape) == 3 else 1
    X = rng.rand(r, k) @ rng.rand(k, c * channels) * scale
    image = np.clip(np.rint(X), 0, 255).astype(np.uint8)
    return image if channels == 1 else image.reshape(r, channels, c).transpose(0, 2, 1).copy()


def smooth(shape=(40, 50, 3), seed=0):
    """A smooth colour photograph stand-in (sums of waves), uint8."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[: shape[0], : shape[1]]
    image = np.zeros(shape)
    for c in range(shape[2]):
        for _ in range(4):
            fy, fx, phase = rng.rand(3) * [0.3, 0.3, 6]
            image[..., c] += np.sin(fy * y + fx * x + phase)
    image -= image.min()
    return np.rint(image / image.max() * 255).astype(np.uint8)


# ------------------------------------------------------------------ reading and writing
@pytest.mark.parametrize("suffix", [".png", ".npy", ".txt", ".csv", ".tif"])
def test_write_then_read_gives_the_image_back(tmp_path, suffix):
    image = planted()
    path = write_image(tmp_path / f"a{suffix}", image)
    back = read_image(path)
    np.testing.assert_array_equal(back, image)
    if suffix in (".png", ".npy", ".tif"):
        assert back.dtype == np.uint8


def test_colour_modes_are_read_as_rgb_or_grey(tmp_path):
    colour = smooth()
    Image.fromarray(colour).convert("RGBA").save(tmp_path / "rgba.png")
    Image.fromarray(colour).convert("P").save(tmp_path / "palette.png")
    Image.fromarray(colour[..., 0]).convert("LA").save(tmp_path / "la.png")
    np.testing.assert_array_equal(read_image(tmp_path / "rgba.png"), colour)
    assert read_image(tmp_path / "palette.png").shape == colour.shape
    np.testing.assert_array_equal(read_image(tmp_path / "la.png"), colour[..., 0])
    Image.fromarray(colour).save(tmp_path / "photo.jpg", quality=95)
    jpeg = read_image(tmp_path / "photo.jpg")
    assert jpeg.shape == colour.shape and jpeg.dtype == np.uint8


def _write(path, content):
    if isinstance(content, np.ndarray):
        np.save(path, content)
    else:
        path.write_text(content)
    return path


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.png", None, "Image '{p}' does not exist; check the path."),
        ("bad.png", "not an image", "Cannot read image '{p}': not an image Pillow can read; "
                                    "pass a PNG, JPEG, .npy or matrix file."),
        ("neg.txt", "1 2\n-3 4\n", "Negative values in image '{p}': an image must be non-negative; "
                                   "shift or clip it first."),
        ("nan.npy", np.array([[1.0, np.nan]]), "NaN or infinity in image '{p}'; remove them first."),
        ("words.txt", "a b\nc d\n", "Cannot read image '{p}': could not convert string 'a' to float64 at row 0, "
                                  "column 1; a matrix file holds numbers only, one row a line, separated by "
                                  "whitespace."),
        ("words.csv", "1,2\nc,4\n", "; a matrix file holds numbers only, one row a line, separated by commas."),
        ("cube.npy", np.ones((2, 2, 2, 2)), "The array of image '{p}' must be a non-empty 2-D"),
        ("objects.npy", np.array([{"a": 1}], dtype=object), "; pass a .npy file of one numeric array."),
    ],
)
def test_unreadable_images_are_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        _write(path, content)
    with pytest.raises(InputError, match=re.escape(message.format(p=path))):
        read_image(path)


def test_a_folder_is_not_an_image(tmp_path):
    with pytest.raises(InputError, match=re.escape(f"Image '{tmp_path}' is not a regular file")):
        read_image(tmp_path)


@pytest.mark.parametrize(
    "image, suffix, message",
    [
        (np.zeros((2, 2, 3), np.uint8), ".txt",
         "A matrix file (.txt) holds one grey image; cannot write shape (2, 2, 3); use .npy."),
        (np.zeros((2, 2), np.uint8), ".xyz", "Cannot write an image as '.xyz': Pillow writes no such format; use .png or .npy."),
        (np.zeros((2, 2), np.float64), ".jpg", "Cannot write this image as .jpg: "),
    ],
)
def test_encode_image_errors(image, suffix, message):
    with pytest.raises(InputError, match=re.escape(message)):
        encode_image(image, suffix)


def test_encode_image_is_what_write_image_writes(tmp_path):
    image = planted()
    for suffix in (".png", ".npy", ".csv"):
        assert write_image(tmp_path / f"a{suffix}", image).read_bytes() == encode_image(image, suffix)


def test_read_image_stack_from_folder_and_npy(tmp_path):
    rng = np.random.RandomState(0)
    stack = rng.randint(0, 255, size=(3, 6, 5)).astype(np.uint8)
    for i, image in enumerate(stack):
        write_image(tmp_path / f"{i}.png", image)
    np.testing.assert_array_equal(read_image_stack(tmp_path), stack)
    np.save(tmp_path / "flat.npy", stack[:, :5, :].reshape(3, 25))
    assert read_image_stack(tmp_path / "flat.npy").shape == (3, 5, 5)
    write_image(tmp_path / "9.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(InputError, match="the images must all have the same size"):
        read_image_stack(tmp_path)


# ------------------------------------------------------------------ quality measures
def test_psnr_matches_its_definition():
    rng = np.random.RandomState(0)
    a = rng.randint(0, 256, size=(20, 30)).astype(np.uint8)
    b = np.clip(a + rng.randint(-3, 4, size=a.shape), 0, 255).astype(np.uint8)
    mse = np.mean((a.astype(float) - b) ** 2)
    assert psnr(a, b) == pytest.approx(10 * np.log10(255**2 / mse))
    assert psnr(a, a) == np.inf
    f = a / 255.0
    assert psnr(f, b / 255.0) == pytest.approx(10 * np.log10((f.max() - f.min()) ** 2 / (mse / 255**2)))
    # 16-bit pixels far apart (squares beyond int32) and a float reconstruction of 8-bit pixels
    c = rng.randint(0, 65536, size=(20, 30)).astype(np.uint16)
    d = rng.randint(0, 65536, size=(20, 30)).astype(np.uint16)
    mse16 = np.mean((c.astype(float) - d) ** 2)
    assert psnr(c, d) == pytest.approx(10 * np.log10(65535**2 / mse16), rel=1e-12)
    assert psnr(a, b.astype(np.float32)) == pytest.approx(psnr(a, b), rel=1e-12)


def test_ssim_properties():
    image = smooth()
    rng = np.random.RandomState(1)
    noisy = np.clip(image + rng.normal(0, 20, image.shape), 0, 255).astype(np.uint8)
    noisier = np.clip(image + rng.normal(0, 60, image.shape), 0, 255).astype(np.uint8)
    assert ssim(image, image) == pytest.approx(1.0)
    assert ssim(image, noisy) == pytest.approx(ssim(noisy, image))
    assert 0 < ssim(image, noisier) < ssim(image, noisy) < 1
    # colour: the mean of the channels' SSIM
    channels = [ssim(image[..., c], noisy[..., c]) for c in range(3)]
    assert ssim(image, noisy) == pytest.approx(np.mean(channels), rel=1e-12)


# ------------------------------------------------------------------ compress
def test_compress_recovers_a_planted_image_and_counts_storage():
    image = planted((48, 64), k=3)
    result = compress(image, 3, random_state=0)
    assert isinstance(result, Compression)
    assert result.reconstruction.shape == image.shape and result.reconstruction.dtype == np.uint8
    assert result.W.shape == (48, 3) and result.H.shape == (3, 64)
    assert (result.W >= 0).all() and (result.H >= 0).all()
    assert result.psnr > 45 and result.svd_psnr > 45
    assert result.n_stored == 3 * (48 + 64) and result.n_values == 48 * 64
    assert result.ratio == pytest.approx(48 * 64 / (3 * 112))
    assert result.n_iter == len(result.loss_history) > 0
    summary = json.loads(json.dumps(result.summary()))
    assert summary["loss_history"] == result.loss_history and summary["fit_time"] > 0


def test_colour_is_factorised_with_the_channels_stacked_along_the_shorter_side():
    wide = planted((30, 40, 3), k=4)
    result = compress(wide, 4, random_state=0)
    assert result.W.shape == (3 * 30, 4) and result.H.shape == (4, 40)
    assert result.n_stored == 4 * (90 + 40) and result.n_values == wide.size
    green = np.clip(np.rint(result.W[30:60] @ result.H), wide.min(), wide.max())  # the second block of rows
    np.testing.assert_array_equal(result.reconstruction[..., 1], green.astype(np.uint8))
    tall = np.ascontiguousarray(wide.transpose(1, 0, 2))
    result = compress(tall, 4, random_state=0)
    assert result.W.shape == (40, 4) and result.H.shape == (4, 3 * 30)
    red = np.clip(np.rint(result.W @ result.H[:, :30]), wide.min(), wide.max())  # the first block of columns
    np.testing.assert_array_equal(result.reconstruction[..., 0], red.astype(np.uint8))


def test_the_svd_bounds_the_squared_error_and_the_reconstruction_is_clipped():
    image = smooth((40, 50, 1))[..., 0].astype(np.float64) / 255 * 0.8 + 0.1  # float, in [0.1, 0.9]
    for k in (2, 6):
        result = compress(image, k, random_state=0)
        assert result.reconstruction.dtype == np.float64
        assert result.reconstruction.min() >= image.min() and result.reconstruction.max() <= image.max()
        X = result.W @ result.H
        U, s, Vt = np.linalg.svd(image, full_matrices=False)
        assert np.sum((image - X) ** 2) >= np.sum(s[k:] ** 2) * (1 - 1e-9)
        assert result.svd_psnr >= result.psnr - 0.05


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_compress_ends_no_worse_than_scikit_learn_on_the_founding_example():
    from sklearn.datasets import load_sample_image
    from sklearn.decomposition import NMF as SklearnNMF

    image = load_sample_image("china.jpg").mean(axis=2).astype(np.uint8)[::2, ::2]
    theirs = SklearnNMF(n_components=5, init="random", random_state=0)  # its defaults
    W = theirs.fit_transform(image.astype(float))
    rec = np.clip(np.rint(W @ theirs.components_), image.min(), image.max())
    ours = compress(image, 5, init="random", random_state=0)
    assert ours.psnr >= psnr(image, rec) - 0.01


def test_from_a_random_start_compress_first_takes_scikit_learn_cd_steps(monkeypatch):
    """``WARMUP`` plain iterations from the random start: scikit-learn cd's, draw for draw and
    step for step (float32, as compress factorises 8-bit pixels); from the default start none."""
    from sklearn.decomposition import NMF as SklearnNMF

    from topicnmf.images import _fit
    from topicnmf.images._compress import _to_matrix

    image = smooth()
    X = _to_matrix(image).astype(np.float32)
    ours = compress(image, 5, init="random", random_state=0, tol=0, max_iter=_fit.WARMUP).loss_history
    theirs = []
    for n_iter in range(1, _fit.WARMUP + 1):
        model = SklearnNMF(5, init="random", random_state=0, tol=0, max_iter=n_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its ConvergenceWarning: tol=0 runs max_iter
            W = model.fit_transform(X)
        theirs.append(0.5 * float(np.sum((X.astype(float) - W.astype(float) @ model.components_) ** 2)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)

    def history(init, warmup):
        monkeypatch.setattr(_fit, "WARMUP", warmup)
        return compress(image, 5, init=init, random_state=0, tol=0, max_iter=12).loss_history

    assert history("random", 0) != history("random", 4)  # the warm-up changes the random start's fit
    assert history(None, 0) == history(None, 4) == history(None, 12)  # the default start: none
    assert history("nndsvda", 0) == history("nndsvda", 4)


def test_compress_is_reproducible_with_a_random_state():
    image = smooth()
    a, b = compress(image, 5, random_state=3), compress(image, 5, random_state=3)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.reconstruction, b.reconstruction)


def test_compress_calls_the_callback_every_iteration():
    seen = []
    result = compress(smooth(), 4, random_state=0, callback=seen.append, max_iter=7, tol=0)
    assert [info["iteration"] for info in seen] == list(range(1, 8)) == list(range(1, result.n_iter + 1))


def test_compress_stops_once_the_psnr_closes_its_gap_to_the_svd_bound_too_slowly():
    from topicnmf.images._compress import _SvdBound, _to_matrix
    from topicnmf.images._fit import PsnrRule

    image = smooth((60, 80, 1))[..., 0]
    full = compress(image, 6, random_state=0, tol=0, max_iter=120)
    assert full.n_iter == 120
    peak2n = 255.0**2 * image.size / 2
    curve = 10 * np.log10(peak2n / np.asarray(full.loss_history))
    bound = _SvdBound(_to_matrix(image), 6, 0)
    X = _to_matrix(image).astype(np.float64)
    # the objective of the bound is that of its matrix
    assert bound.loss() == pytest.approx(0.5 * np.sum((X - bound.matrix()) ** 2), rel=1e-4)
    top = 10 * np.log10(peak2n / bound.loss())
    for tol in (1e-1, 1e-3):
        result = compress(image, 6, random_state=0, tol=tol, max_iter=120)
        w = PsnrRule.window
        # the first iteration whose last `window` iterations gained less than tol times the gap each
        expected = next((i + 1 for i in range(w, len(curve))
                         if (curve[i] - curve[i - w]) / w <= tol * max(min(top - curve[i], 10.0), 0.0)), 120)
        assert result.n_iter == expected
        assert result.loss_history == full.loss_history[:expected]
    assert compress(image, 6, random_state=0, tol=1e-1).n_iter < compress(image, 6, random_state=0, tol=1e-3).n_iter


def test_compress_works_in_float32_for_8_bit_images_and_measures_ssim_on_first_access():
    image = smooth()
    result = compress(image, 5, random_state=0)
    assert result.W.dtype == np.float32 and result.H.dtype == np.float32
    assert "_ssims" not in vars(result)  # not computed yet
    assert result.ssim == pytest.approx(ssim(image, result.reconstruction), rel=1e-12)
    assert result.svd_ssim == pytest.approx(ssim(image, result.svd_reconstruction), rel=1e-12)
    assert 0 < result.ssim <= 1 and "_ssims" in vars(result)
    floats = compress(image.astype(np.float64), 5, random_state=0)
    assert floats.W.dtype == np.float64


def test_the_svd_bound_is_the_exact_truncated_svd_to_a_hundredth_of_a_db():
    from sklearn.datasets import load_sample_image

    image = load_sample_image("flower.jpg").mean(axis=2).astype(np.uint8)[::2, ::2]
    X = image.astype(np.float64)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    for k in (5, 20):
        exact = np.clip(np.rint((U[:, :k] * s[:k]) @ Vt[:k]), 0, 255).astype(np.uint8)
        result = compress(image, k, random_state=0, max_iter=3)
        assert abs(result.svd_psnr - psnr(image, exact)) < 0.01


@pytest.mark.parametrize(
    "image, params, message",
    [
        (np.ones((10, 12)), {"n_components": 11},
         "n_components=11 is larger than the image (10 x 12); choose at most 10."),
        (np.ones((10, 4, 3)), {"n_components": 11},
         "n_components=11 is larger than the image (10 x 12 with the channels stacked); choose at most 10."),
        (np.ones((4, 10, 3)), {"n_components": 11},
         "n_components=11 is larger than the image (12 x 10 with the channels stacked); choose at most 10."),
        (-np.ones((4, 4)), {"n_components": 2},
         "Negative values in the image passed to compress: an image must be non-negative; shift or clip it first."),
        (np.full((4, 4), np.nan), {"n_components": 2}, "NaN or infinity in the image passed to compress"),
        (np.ones(5), {"n_components": 2}, "The array of the image passed to compress must be a non-empty 2-D"),
        (np.ones((4, 4)), {"n_components": 0}, "The 'n_components' parameter of compress must be an int >= 1. Got 0."),
        (np.ones((4, 4)), {"n_components": 2, "init": "svd"},
         "The 'init' parameter of compress must be one of None, 'nndsvd', 'nndsvda', 'nndsvdar', 'random'. Got 'svd'."),
        (np.ones((4, 4)), {"n_components": 2, "max_iter": True},
         "The 'max_iter' parameter of compress must be an int >= 1. Got True."),
        (np.ones((4, 4)), {"n_components": 2, "solver": "cd"},
         "The 'solver' parameter of compress must be one of 'als', 'hals', 'mu'. Got 'cd'."),
    ],
)
def test_compress_errors(image, params, message):
    with pytest.raises(InputError, match=re.escape(message)):
        compress(image, **params)


# ------------------------------------------------------------------ parts
def test_parts_of_digits_are_non_negative_basis_images():
    from sklearn.datasets import load_digits

    digits = load_digits().images[:600]
    result = parts(digits, 9, random_state=0)
    assert result.components.shape == (9, 8, 8) and result.W.shape == (600, 9)
    assert (result.components >= 0).all() and (result.W >= 0).all()
    assert 0 < result.relative_err < 0.45
    X = digits.reshape(600, 64)
    direct = np.linalg.norm(X - result.W @ result.components.reshape(9, 64))
    assert result.reconstruction_err == pytest.approx(direct, rel=1e-6)
    assert result.grid().shape == (3 * 9 - 1, 3 * 9 - 1)
    flat = parts(digits.reshape(600, 64), 9, random_state=0)
    np.testing.assert_allclose(flat.components, result.components)


def test_parts_errors():
    with pytest.raises(InputError, match=re.escape("are rows of 12 pixels, not a square number; pass image_shape")):
        parts(np.ones((5, 12)), 2)
    assert parts(np.random.RandomState(0).rand(5, 12), 2, image_shape=(3, 4)).components.shape == (2, 3, 4)
    with pytest.raises(InputError, match=re.escape("n_components=6 is larger than the stack (5 images of 4 pixels)")):
        parts(np.ones((5, 2, 2)), 6)
    with pytest.raises(TypeError, match=re.escape("parts() got an unexpected keyword argument 'alpha'")):
        parts(np.ones((5, 2, 2)), 2, alpha=1.0)
    with pytest.raises(InputError, match=re.escape("The 'max_iter' parameter of parts must be")):
        parts(np.ones((5, 2, 2)), 2, max_iter=0)


def test_the_default_start_is_nndsvd_on_a_one_pass_sketch_close_to_the_exact_svd():
    from topicnmf.nmf._init import Sketch
    from topicnmf.nmf._operator import DenseOperator

    rng = np.random.RandomState(0)
    # a fast-falling spectrum, as a photograph's
    X = (rng.rand(120, 8) * 0.5 ** np.arange(8)) @ rng.rand(8, 90) + 1e-3 * rng.rand(120, 90)
    sketch = Sketch(DenseOperator(X), 5, np.random.RandomState(1))
    U, s, V = sketch.U, sketch.s, sketch.V
    exact = np.linalg.svd(X, compute_uv=False)[:5]
    np.testing.assert_allclose(s, exact, rtol=1e-3)
    np.testing.assert_allclose(U.T @ U, np.eye(5), atol=1e-8)
    np.testing.assert_allclose(V.T @ V, np.eye(5), atol=1e-8)
    np.testing.assert_allclose((U * s) @ V.T, X, atol=0.05 * np.abs(X).max())


def test_the_default_start_keeps_nndsvds_zeros_and_is_closer_than_nndsvda_on_pixels():
    from sklearn.utils import check_random_state

    from topicnmf.images._compress import _to_matrix
    from topicnmf.images._fit import image_operator, image_start
    from topicnmf.nmf._init import initialize
    from topicnmf.nmf._operator import DenseOperator

    image = smooth((40, 50, 1))[..., 0]
    X = _to_matrix(image)
    W, Ht, A = image_start(image_operator(X, image), 4, check_random_state(0))
    assert W.dtype == Ht.dtype == A.dtype == np.float32 and (W >= 0).all() and (Ht >= 0).all()
    assert (W == 0).any() or (Ht == 0).any()  # the zeros of NNDSVD are kept
    # the sketch's stand-in for X @ Ht: X projected on the sketch's range
    assert np.linalg.norm(A - X @ Ht) < 0.01 * np.linalg.norm(X @ Ht)
    Wa, Hta = initialize(DenseOperator(X), 4, "nndsvda", check_random_state(0))
    assert np.sum((X - W @ Ht.T) ** 2) < np.sum((X - Wa @ Hta.T) ** 2)


@pytest.mark.parametrize("image", [smooth((30, 40, 3)), smooth((30, 40, 1))[..., 0], planted((20, 30))],
                         ids=["colour", "grey", "planted"])
def test_the_operator_takes_its_scans_from_8_bit_pixels_to_the_same_numbers(image):
    from topicnmf.images._compress import _to_matrix
    from topicnmf.images._fit import image_operator
    from topicnmf.nmf._operator import DenseOperator

    X = _to_matrix(image)
    ours, core = image_operator(X, image), DenseOperator(X)
    assert ours._sq_norm is not None and ours.sq_norm == core.sq_norm
    assert ours._total is not None and ours.total == core.total
    assert ours.n_nonzero == core.n_nonzero
    floats = image.astype(np.float64) / 255
    assert image_operator(_to_matrix(floats), floats)._sq_norm is None  # left to the core's scan


@pytest.mark.parametrize("shape", [(30, 41), (30, 41, 3), (45, 20, 3)], ids=["grey", "landscape", "portrait"])
@pytest.mark.parametrize("pixel_dtype", [np.uint8, np.uint16])
def test_integer_pixels_give_the_factors_and_losses_of_the_same_values_as_floats(shape, pixel_dtype):
    # the narrow products read the pixels' bytes: the same sums, so the same fit, bit for bit
    image = smooth(shape if len(shape) == 3 else shape + (1,))
    image = (image if len(shape) == 3 else image[..., 0]).astype(pixel_dtype) * (1 if pixel_dtype == np.uint8 else 257)
    ints = compress(image, 5, init="random", random_state=0, max_iter=12, tol=0)
    floats = compress(image.astype(np.float32), 5, init="random", random_state=0, max_iter=12, tol=0)
    np.testing.assert_allclose(ints.loss_history, floats.loss_history, rtol=1e-10)
    np.testing.assert_allclose(ints.W, floats.W, rtol=1e-10, atol=0)
    np.testing.assert_allclose(ints.H, floats.H, rtol=1e-10, atol=0)


def test_only_8_and_16_bit_pixels_are_read_as_integers(tmp_path):
    from topicnmf.images._compress import _to_matrix
    from topicnmf.images._fit import image_operator

    image = smooth((30, 40, 1))[..., 0]
    Ht = np.random.RandomState(0).rand(40, 5).astype(np.float32)
    for pixels, expected in ((image, np.uint8), (image.astype(np.int16), np.uint16)):
        op = image_operator(_to_matrix(pixels), pixels)
        assert op.pixels is None  # made on first use, by a narrow product
        op.matmul(Ht)
        assert op.pixels.dtype == expected
        np.testing.assert_array_equal(op.pixels, _to_matrix(pixels))
    path = tmp_path / "matrix.txt"
    path.write_text("0.5 1 2\n3 4.25 5\n6 7 8\n")
    for floats in (image.astype(np.float64), image / 255.0, read_image(path)):
        op = image_operator(_to_matrix(floats), floats)
        op.matmul(np.ones((floats.shape[1], 5), dtype=op.dtype))
        assert op.pixels is None  # the float path: the products read X


def test_compress_reports_the_true_loss_of_its_factors():
    image = smooth()
    seen = []
    result = compress(image, 4, random_state=0, max_iter=3, tol=0, callback=seen.append)
    from topicnmf.images._compress import _to_matrix

    X = _to_matrix(image).astype(np.float64)
    # the last reported loss is that of the factors before the final exact solve for W
    # (which never raises it)
    final = 0.5 * np.sum((X - result.W.astype(np.float64) @ result.H) ** 2)
    assert final <= seen[-1]["loss"] * (1 + 1e-5)
    assert [info["loss"] for info in seen] == result.loss_history


def test_image_grid_tiles_and_scales():
    images = np.stack([np.full((2, 3), v) for v in (1.0, 2.0, 0.0, 4.0, 5.0)])
    grid = image_grid(images, pad=1)
    assert grid.shape == (2 * 3 - 1, 3 * 4 - 1)
    assert grid.max() == 1.0 and grid.min() == 0.0
    np.testing.assert_array_equal(grid[:2, :3], 1.0)  # each image scaled by its own maximum
    assert image_grid(images, n_cols=5, zoom=2).shape == (4, 2 * 19)


def test_side_by_side_and_psnr_plot():
    import matplotlib

    matplotlib.use("Agg")
    a = np.zeros((4, 5, 3), np.uint8)
    picture = side_by_side(a, a, a, gap=2)
    assert picture.shape == (4, 19, 3) and picture[:, 5:7].min() == 255
    results = [compress(smooth(), k, random_state=0) for k in (6, 2)]
    fig = plot_psnr(results)
    lines = fig.axes[0].get_lines()
    assert [list(line.get_xdata()) for line in lines] == [[2, 6], [2, 6]]
    np.testing.assert_allclose(lines[1].get_ydata(), [results[1].psnr, results[0].psnr])


def test_the_first_product_comes_from_the_sketch_once_and_only_for_the_start():
    from topicnmf.images._compress import _to_matrix
    from topicnmf.images._fit import image_operator

    image = smooth((30, 40, 1))[..., 0]
    X = _to_matrix(image)
    Ht = np.random.RandomState(0).rand(40, 3).astype(X.dtype)
    known = np.full((30, 3), 7.0, dtype=X.dtype)
    op = image_operator(X, image)
    op.start_with(Ht, known)
    assert op.matmul(Ht.copy()) is known  # the start's H: the sketch's stand-in
    np.testing.assert_allclose(op.matmul(Ht), X @ Ht, rtol=1e-5)  # then the exact products
    op.start_with(Ht, known)
    np.testing.assert_allclose(op.matmul(Ht + 1), X @ (Ht + 1), rtol=1e-5)  # another H: exact
    np.testing.assert_allclose(op.matmul(Ht), X @ Ht, rtol=1e-5)  # and the stand-in is dropped


def test_the_svd_bound_computed_on_its_own_thread_is_the_same():
    from topicnmf.images._compress import _SvdBound, _to_matrix

    X = _to_matrix(smooth((50, 60, 3)))
    inline, threaded = _SvdBound(X, 4, 0), _SvdBound(X, 4, 0)
    threaded.start()
    assert threaded.loss() == inline.loss() > 0
    np.testing.assert_array_equal(threaded.matrix(), inline.matrix())
    Xf = X.astype(np.float64)
    assert inline.loss() == pytest.approx(0.5 * np.sum((Xf - inline.matrix()) ** 2), rel=1e-4)
    shared = _SvdBound(X, 4, np.random.RandomState(0))  # a RandomState shared with the start: not on a thread
    shared.start()
    assert shared._future is None


def test_the_svd_bound_starts_once_one_iteration_gains_less_than_lead_times_the_rule_s_level():
    from topicnmf.images._fit import PsnrRule

    calls = []
    rule = PsnrRule(1e-3, 1.0, 2, lambda: 1e-9, prepare=lambda: calls.append(len(rule.psnr)))
    level = PsnrRule.LEAD * 1e-3 * PsnrRule.MAX_GAP  # dB per iteration
    psnr = np.cumsum([10.0, 1.0, 0.5, 2 * level, 0.5 * level, 0.1 * level, 0.0, 0.0])
    for value in psnr:  # psnr = 10 log10(1 / loss) at peak 1 and two values
        assert rule({"loss": 10 ** (-value / 10)}) is None
    assert calls == [5]  # once, at the first gain below the level
    assert PsnrRule(0.0, 1.0, 2, None, prepare=calls.append)({"loss": 1.0}) is None  # tol=0: never started


@pytest.mark.parametrize("k, before", [(5, True), (20, False)])
def test_compress_starts_the_svd_bound_before_the_fit_where_the_fit_runs_on_one_thread(monkeypatch, k, before):
    """At a small rank (the compiled narrow products, one thread) the SVD bound starts before the
    first iteration; at a wider one, only once the rule is about to need it."""
    from topicnmf.images import _compress

    started, seen = [], []
    real = _compress._SvdBound.start
    monkeypatch.setattr(_compress._SvdBound, "start", lambda self: (started.append(1), real(self))[1])
    compress(smooth((120, 160, 1))[..., 0], k, random_state=0, callback=lambda info: seen.append(len(started)))
    assert seen[0] == int(before)


@pytest.mark.parametrize("rank", [3, 60])
def test_the_power_iterated_sketch_gives_the_top_singular_values(rank):
    from topicnmf.nmf._init import Sketch
    from topicnmf.nmf._operator import DenseOperator

    rng = np.random.RandomState(0)
    U, _ = np.linalg.qr(rng.randn(90, rank))
    V, _ = np.linalg.qr(rng.randn(70, rank))
    s = 100.0 * 0.7 ** np.arange(rank)  # a photograph's spectrum falls like this, or faster
    X = (U * s) @ V.T  # rank 3: the sketch's 5 + 10 columns are rank-deficient (plain QR)
    k = 5
    sketch = Sketch(DenseOperator(X), k, np.random.default_rng(0), 10, n_iter=3)
    np.testing.assert_allclose(sketch.s, np.pad(s, (0, k))[:k], rtol=1e-6, atol=1e-9 * s[0])
    best = np.sqrt(np.sum(s[k:] ** 2))  # Eckart-Young
    assert np.linalg.norm(X - (sketch.U * sketch.s) @ sketch.V.T) == pytest.approx(best, rel=1e-6, abs=1e-9 * s[0])
    # the compiled twin the SVD bound runs: the same steps, the same numbers to rounding
    from topicnmf.nmf._dense import power_sketch
    from topicnmf.nmf._init import draw_test_matrix

    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        ref = Sketch(DenseOperator(Xd), k, np.random.default_rng(1), 10, n_iter=3)
        U, sv, V = power_sketch(Xd, draw_test_matrix(np.random.default_rng(1), 70, k + 10, dtype), 3, k)
        assert U.dtype == V.dtype == dtype
        tol = 1e-10 if dtype == np.float64 else 1e-4
        np.testing.assert_allclose(sv, ref.s, rtol=tol, atol=tol * s[0])
        np.testing.assert_allclose((U * sv) @ V.T, (ref.U * ref.s) @ ref.V.T, rtol=0, atol=tol * s[0])


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_computes_the_svd_bound_on_threads_of_its_own():
    import multiprocessing

    image = smooth((30, 40, 1))[..., 0]
    compress(image, 3, random_state=0, tol=0, max_iter=10)  # the parent's threads exist
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(compress, (image, 3), {"random_state": 0, "tol": 0, "max_iter": 10})
        assert result.get(timeout=30).n_iter == 10


def test_parts_of_a_small_stack_compile_nothing():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from topicnmf.images import parts; "
            "parts((np.random.RandomState(0).rand(30, 8, 8) * 255).astype('uint8'), 4, random_state=0); "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("solver", ["hals", "mu", "als"])
def test_every_solver_keeps_the_factors_of_a_mostly_dark_image_non_negative(solver):
    image = np.zeros((40, 50), dtype=np.uint8)
    image[5:12, 8:30] = 200  # a few bright patches on black: the sketch's projection dips below 0
    image[20:35, 30:45] = smooth((15, 15, 1))[..., 0]
    result = compress(image, 6, solver=solver, random_state=0, max_iter=20)
    assert (result.W >= 0).all() and (result.H >= 0).all() and np.isfinite(result.psnr)
