"""Image compression: topicnmf.images.compress against scikit-learn NMF, side by side.

Cases: the sample photographs ``load_sample_image("china.jpg")`` and ``"flower.jpg"``
(427 x 640), grey (Pillow's ``convert("L")``) and colour (the three channels stacked
along the shorter side, 1281 x 640, as ``compress`` factorises them), at the founding example's
settings (k = 5, ``init="random"``, ``random_state=0``: scikit-learn's random start
and topicnmf's are the same draws) and at k = 20 and 50 with each side's default start
(scikit-learn: ``nndsvda``; topicnmf: NNDSVD, zeros kept, on a one-pass randomized SVD),
``random_state=0``. scikit-learn runs ``NMF(solver="cd")`` and ``NMF(solver="mu")``
with its defaults; topicnmf runs ``compress`` with its defaults (HALS).

Each fit runs ``--repeat`` times in this process after one untimed warm-up (which
loads topicnmf's compiled kernels); the fastest run counts. Columns:

- ``time``: wall time of the fit (scikit-learn: ``fit_transform``; topicnmf: the start
  and the iterations, ``Compression.fit_time``; the SVD bound and the quality measures
  that ``compress`` adds are listed apart: the stopping rule needs the SVD during the
  iterations; ``compress`` computes it on a thread of its own, from before the first
  iteration where the fit runs on one thread (k = 5 here), else from when the rule is
  about to need it, so the reach times below include whatever the rule waited for it,
  and the fit's iterations slowed by sharing the cores with it);
- ``iter``: iterations; ``PSNR``: of the reconstruction clipped to 0..255;
- ``cpu``: process time of the same (``time.process_time``: on a shared machine it
  leaves out the time other processes hold the cores; it counts every thread of the
  process, scikit-learn's BLAS threads and topicnmf's kernel threads alike);
- ``reach cd`` / ``reach mu``: seconds from the start of the ``compress`` call until
  the per-iteration loss ``0.5 |X - WH|^2`` (the callback's, as in
  ``benchmarks/solvers.py``) first reached scikit-learn cd's (mu's) final loss,
  i.e. its final PSNR before clipping, and the ratio of that to cd's (mu's) time,
  in wall time and in process time (each the shortest of the ``--repeat`` runs).

Then: how to factorise colour (channels stacked along the short side as ``compress``
does, side by side along the long side, or one factorisation per channel, at the same
number of stored values); the SVD bound
(LAPACK ``gesdd`` against the randomized SVD ``compress`` uses); and a 1000 x 1000 grey
photograph at k = 50 (china.jpg resized with Pillow's bicubic filter): the whole
``compress`` call (start, iterations, SVD bound, reconstructions, PSNR; the SSIM is
computed on first access of ``Compression.ssim``, timed apart).

``--only copies`` (not run by default: a few minutes) makes the same comparison on 20
copies of the sample photographs of other sizes and shapes (200 x 300 and 800 x 1200,
grey and colour; crops of 300 x 500 and 400 x 400; 256 x 256; portrait 640 x 427, the
photograph transposed; 300 x 1000, stretched): one line per copy and k with the reach
ratio against cd and mu and the final PSNR minus theirs, then the counts. ``--starts N``
runs k = 5 from the random starts of seeds 0 to N-1; ``--warmup 0 4`` compares HALS
warm-ups (``topicnmf.images._fit.WARMUP``, applied from a random start) side by side on
the same fits of scikit-learn.

``--only photographs`` (not run by default: about 3 minutes) makes it on other
photographs, the ones scikit-image installs with itself (its ``bench`` extra here; no
download): astronaut, chelsea, coffee, rocket, motorcycle, the Hubble deep field, a retina
and an immunohistochemistry slide in colour and grey, and camera, coins, moon, grass,
gravel, brick and a scanned page in grey; 191 x 384 to 1411 x 1411 pixels.

``--only big-photographs`` (about half a minute) runs the 1000 x 1000 case on each of those
photographs in grey, resized to 1000 x 1000 as china.jpg is: the whole ``compress`` call at
k = 50 with its defaults, the fastest of ``--repeat``, its iterations, and how many stay
under 1 s.

Targets: topicnmf's final PSNR no lower than scikit-learn's (cd and mu) and the
time to reach scikit-learn's final PSNR at most 0.3x scikit-learn's fit time, in
every case; the 1000 x 1000 image at k = 50 in under 1 s. The load average is
printed first: on a busy machine every time here is inflated. So is
``OPENBLAS_NUM_THREADS``, which sets how many threads scikit-learn's products run
on (``compress`` runs its own BLAS calls on one thread and its compiled kernels on
numba's threads either way). Unset, the default, OpenBLAS uses every core: on 2 cores
that makes scikit-learn's cd faster at k = 5 (china grey: about 33 ms rather than
46 ms with ``OPENBLAS_NUM_THREADS=1``) and slower at k = 20 and 50. Run it both ways;
the default is what a user of scikit-learn gets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from topicnmf.images import compress, psnr  # noqa: E402
from topicnmf.images._compress import _to_image, _to_matrix  # noqa: E402

CASES = [(5, "random"), (20, None), (50, None)]
TARGET_REACH = 0.3
FAST_ITER = 40


def sample_images():
    from PIL import Image
    from sklearn.datasets import load_sample_image

    out = {}
    for name in ("china", "flower"):
        colour = load_sample_image(f"{name}.jpg")
        out[f"{name} grey"] = np.asarray(Image.fromarray(colour).convert("L"))
        out[f"{name} colour"] = colour
    return out


def loss(X, W, H) -> float:
    return 0.5 * float(np.sum((X - W @ H) ** 2))


def clipped_psnr(image, X_hat) -> float:
    rec = np.clip(np.rint(_to_image(X_hat, image.shape)), 0, 255).astype(np.uint8)
    return psnr(image, rec)


def best_of(repeat, run):
    """The run of the shortest wall time; ``cpu``: the shortest process time of all runs;
    ``runs``: all of them."""
    results = [run() for _ in range(repeat)]
    best = dict(min(results, key=lambda r: r["time"]))
    best["cpu"] = min(r["cpu"] for r in results)
    best["runs"] = results
    return best


def run_sklearn(image, k, init, solver, repeat, seed=0):
    from sklearn.decomposition import NMF

    X = _to_matrix(image)

    def run():
        model = NMF(k, solver=solver, init=init, random_state=seed)
        start, cpu = time.perf_counter(), time.process_time()
        W = model.fit_transform(X)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        H = model.components_
        return {"time": wall, "cpu": cpu, "n_iter": model.n_iter_, "loss": loss(X, W, H),
                "psnr": clipped_psnr(image, W @ H)}

    return best_of(repeat, run)


def run_topicnmf(image, k, init, repeat, seed=0, ssim=True, **params):
    compress(image, k, init=init, random_state=seed, max_iter=2)  # warm: compiled kernels loaded

    def run():
        trace = []
        start, cpu = time.perf_counter(), time.process_time()
        result = compress(image, k, init=init, random_state=seed,
                          callback=lambda info: trace.append((time.perf_counter() - start,
                                                              time.process_time() - cpu, info["loss"])),
                          **params)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        ssim_start = time.perf_counter()
        if ssim:
            result.ssim  # computed on first access
        ssim_time = time.perf_counter() - ssim_start
        return {"time": result.fit_time, "total": total, "cpu": cpu, "svd_time": result.svd_time,
                "ssim_time": ssim_time,
                "n_iter": result.n_iter, "psnr": result.psnr, "svd_psnr": result.svd_psnr,
                "trace": trace, "loss": trace[-1][2]}

    return best_of(repeat, run)


def reach(ours, target, clock=0):
    """The shortest time (``clock`` 0: wall, 1: process) over ``ours``'s runs to a loss <= ``target``."""
    margin = 1e-12 * target
    return min(next((step[clock] for step in run["trace"] if step[2] <= target + margin), float("nan"))
               for run in ours["runs"])


def reach_ratio(ours, theirs, clock=0) -> float:
    """Time to reach ``theirs``'s final loss over ``theirs``'s fit time (``clock`` 0: wall, 1: process)."""
    return reach(ours, theirs["loss"], clock) / theirs["time" if clock == 0 else "cpu"]


def ends_no_lower(ours, theirs) -> bool:
    """The PSNR target: ``ours`` ends at a PSNR no lower than ``theirs``."""
    return ours["psnr"] >= theirs["psnr"] - 1e-9


def main_table(images, repeat, summary):
    print(f"\n{'case':<14} {'k':>3} {'side':<14} {'time s':>8} {'cpu s':>8} {'iter':>5} {'PSNR':>7} "
          f"{'reach cd s':>11} {'/cd':>6} {'cpu /cd':>8} {'reach mu s':>11} {'/mu':>6} {'cpu /mu':>8}")
    for label, image in images.items():
        for k, init in CASES:
            cd = run_sklearn(image, k, init, "cd", repeat)
            mu = run_sklearn(image, k, init, "mu", repeat)
            ours = run_topicnmf(image, k, init, repeat)
            start = "random" if init == "random" else "default"
            for side, r in (("sklearn cd", cd), ("sklearn mu", mu), ("topicnmf hals", ours)):
                extra = ""
                if r is ours:
                    for theirs in (cd, mu):
                        extra += (f" {reach(r, theirs['loss']):>11.4f} {reach_ratio(r, theirs):>5.2f}x "
                                  f"{reach_ratio(r, theirs, 1):>7.2f}x")
                print(f"{label:<14} {k:>3} {side:<14} {r['time']:>8.4f} {r['cpu']:>8.4f} {r['n_iter']:>5d} "
                      f"{r['psnr']:>7.3f}{extra}")
            print(f"{'':<14} {'':>3} (compress adds the SVD bound {ours['svd_time']:.3f} s, PSNR "
                  f"{ours['svd_psnr']:.3f}; whole call {ours['total']:.3f} s)")
            for name, theirs in (("cd", cd), ("mu", mu)):
                ratio, cpu_ratio = reach_ratio(ours, theirs), reach_ratio(ours, theirs, 1)
                ends = ends_no_lower(ours, theirs)
                summary.append(
                    f"{label} k={k} ({start} start) vs {name}: reach {ratio:.2f}x wall, {cpu_ratio:.2f}x "
                    f"cpu (target <= {TARGET_REACH}x) {'met' if ratio <= TARGET_REACH else 'NOT met'} "
                    f"(cpu {'met' if cpu_ratio <= TARGET_REACH else 'NOT met'}); "
                    f"PSNR {ours['psnr']:.3f} vs {theirs['psnr']:.3f} "
                    f"{'met' if ends else 'NOT met'}")


def colour_layouts(images, repeat, summary):
    print("\nColour at the same number of stored values (k = rank of the side-by-side layout)")
    print(f"{'image':<8} {'k':>3} {'layout':<16} {'rank':>5} {'stored':>8} {'PSNR':>7} {'SSIM':>6} {'fit s':>7}")
    for name in ("china", "flower"):
        image = images[f"{name} colour"]
        r, c, C = image.shape
        for k in (20, 50):
            budget = k * (r + C * c)
            rows = []
            # side by side along the long side: (r, 3c)
            side = np.ascontiguousarray(image.transpose(0, 2, 1).reshape(r, C * c))

            def side_by_side():
                out = compress(side, k, random_state=0)
                return out.reconstruction.reshape(r, C, c).transpose(0, 2, 1)

            res = best_of(repeat, lambda: _timed(side_by_side))
            rows.append(("side by side", k, k * (r + C * c), psnr(image, res["value"]), _ssim(image, res["value"]),
                         res["time"]))
            # stacked along the short side: (3r, c), what compress does with a landscape image
            kv = round(budget / (C * r + c))
            res = best_of(repeat, lambda: _timed(lambda: compress(image, kv, random_state=0)))
            rows.append(("stacked", kv, res["value"].n_stored, res["value"].psnr, res["value"].ssim,
                         res["time"]))
            # one factorisation per channel
            kc = round(budget / (C * (r + c)))

            def per_channel():
                return np.stack([compress(np.ascontiguousarray(image[..., j]), kc, random_state=0).reconstruction
                                 for j in range(C)], axis=2)

            res = best_of(repeat, lambda: _timed(per_channel))
            rows.append(("per channel", kc, C * kc * (r + c), psnr(image, res["value"]), _ssim(image, res["value"]),
                         res["time"]))
            for layout, rank, stored, p, s, t in rows:
                print(f"{name:<8} {k:>3} {layout:<16} {rank:>5} {stored:>8} {p:>7.3f} {s:>6.3f} {t:>7.3f}")
            best = max(rows, key=lambda row: row[3])
            summary.append(f"colour {name} k={k}: highest PSNR at equal storage: {best[0]} "
                           f"({', '.join(f'{row[0]} {row[3]:.3f} dB in {row[5]:.2f} s' for row in rows)})")


def _ssim(image, rec):
    from topicnmf.images import ssim

    return ssim(image, rec)


def _timed(call):
    start, cpu = time.perf_counter(), time.process_time()
    value = call()
    return {"time": time.perf_counter() - start, "cpu": time.process_time() - cpu, "value": value}


def svd_bound(images, big, summary):
    from scipy import linalg
    from sklearn.utils.extmath import randomized_svd

    from topicnmf.images._compress import _truncated_svd

    def gesdd(X, k):
        U, s, Vt = linalg.svd(X, full_matrices=False, check_finite=False, lapack_driver="gesdd")
        return (U[:, :k] * s[:k]) @ Vt[:k]

    print("\nThe SVD bound: LAPACK gesdd against compress's randomized SVD (k + min(max(k, 10), 30) "
          "columns, 3 power iterations, float32 products) and scikit-learn's randomized_svd (n_iter=8)")
    print(f"{'image':<16} {'k':>3} {'gesdd s':>8} {'PSNR':>8} {'ours s':>8} {'dPSNR':>8} "
          f"{'sk(8) s':>8} {'dPSNR':>8}")
    for label, image in (("china grey", images["china grey"]), ("china colour", images["china colour"]),
                         ("china 1000 grey", big)):
        X = _to_matrix(image)
        X64 = X.astype(np.float64)
        for k in (5, 20, 50):
            exact = _timed(lambda: gesdd(X64, k))
            p_exact = clipped_psnr(image, exact["value"])
            ours = min((_timed(lambda: _truncated_svd(X, k, 0)) for _ in range(3)), key=lambda r: r["time"])

            def sk():
                U, s, Vt = randomized_svd(X64, k, n_iter=8, random_state=0)
                return (U * s) @ Vt

            theirs = _timed(sk)
            d_ours = clipped_psnr(image, ours["value"]) - p_exact
            d_sk = clipped_psnr(image, theirs["value"]) - p_exact
            print(f"{label:<16} {k:>3} {exact['time']:>8.3f} {p_exact:>8.3f} {ours['time']:>8.3f} "
                  f"{d_ours:>+8.4f} {theirs['time']:>8.3f} {d_sk:>+8.4f}")
            summary.append(f"SVD bound {label} k={k}: gesdd {exact['time']:.3f} s; compress's randomized "
                           f"SVD {ours['time']:.3f} s at {d_ours:+.4f} dB")


def big_image(big, repeat, summary):
    print("\n1000 x 1000 grey (china.jpg, bicubic), k = 50")
    cd = run_sklearn(big, 50, None, "cd", 1)
    mu = run_sklearn(big, 50, None, "mu", 1)
    ours = run_topicnmf(big, 50, None, repeat)
    fast = run_topicnmf(big, 50, None, repeat, max_iter=FAST_ITER)
    for side, r in (("sklearn cd", cd), ("sklearn mu", mu), ("topicnmf hals", ours),
                    (f"max_iter={FAST_ITER}", fast)):
        print(f"{side:<14} fit {r['time']:>7.3f} s  iter {r['n_iter']:>4d}  PSNR {r['psnr']:.3f}")
    print(f"{'':<14} compress adds the SVD bound {ours['svd_time']:.3f} s (PSNR {ours['svd_psnr']:.3f}); "
          f"whole call {ours['total']:.3f} s (max_iter={FAST_ITER}: {fast['total']:.3f} s); "
          f"SSIM on first access {ours['ssim_time']:.3f} s")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    for label, r in (("defaults", ours), (f"max_iter={FAST_ITER}", fast)):
        summary.append(f"1000x1000 grey k=50 ({label}): {r['n_iter']} iterations, fit {r['time']:.3f} s, "
                       f"whole compress call {r['total']:.3f} s (target < 1 s) "
                       f"{'met' if r['total'] < 1 else 'NOT met'} at load {load}; "
                       f"PSNR {r['psnr']:.3f} (cd {cd['psnr']:.3f}, mu {mu['psnr']:.3f}, "
                       f"SVD {r['svd_psnr']:.3f})")


def big_photographs(repeat, summary):
    """The 1000 x 1000 case on each grey photograph of :func:`photographs`, resized as china.jpg."""
    from PIL import Image

    print("\n1000 x 1000 grey copies of the other photographs (bicubic), k = 50, compress's defaults")
    times = []
    for label, image in photographs().items():
        if not label.endswith("grey"):
            continue
        big = np.asarray(Image.fromarray(image).resize((1000, 1000), Image.BICUBIC))
        r = run_topicnmf(big, 50, None, repeat, ssim=False)
        times.append(r["total"])
        print(f"{label:<26} whole call {r['total']:.3f} s  iter {r['n_iter']:>4d}  PSNR {r['psnr']:.3f}  "
              f"SVD {r['svd_psnr']:.3f}", flush=True)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    summary.append(f"1000x1000 grey copies of {len(times)} photographs, k=50: under 1 s in "
                   f"{sum(t < 1 for t in times)} of {len(times)}; {min(times):.3f} to {max(times):.3f} s "
                   f"(target < 1 s) at load {load}")


def image_copies():
    """Copies of the sample photographs in other sizes and shapes: resized (Pillow's bicubic
    filter), cropped and transposed (portrait), grey and colour."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    def grey(a):
        return np.asarray(Image.fromarray(a).convert("L"))

    def resized(a, rows, columns):
        return np.asarray(Image.fromarray(a).resize((columns, rows), Image.BICUBIC))

    out = {}
    for name in ("china", "flower"):
        colour = load_sample_image(f"{name}.jpg")
        for rows, columns in ((200, 300), (800, 1200)):
            copy = resized(colour, rows, columns)
            out[f"{name} {rows}x{columns} grey"] = grey(copy)
            out[f"{name} {rows}x{columns} colour"] = copy
        out[f"{name} 300x500 crop grey"] = grey(colour)[50:350, 70:570]
        out[f"{name} 640x427 portrait grey"] = np.ascontiguousarray(grey(colour).T)
        out[f"{name} 640x427 portrait colour"] = np.ascontiguousarray(colour.transpose(1, 0, 2))
        out[f"{name} 400x400 crop colour"] = np.ascontiguousarray(colour[13:413, 120:520])
        out[f"{name} 256x256 grey"] = grey(resized(colour[13:413, 120:520], 256, 256))
        out[f"{name} 300x1000 colour"] = resized(colour, 300, 1000)
    return out


def photographs():
    """The photographs scikit-image installs with itself (none downloaded), colour ones
    also in grey; RGBA as RGB."""
    from PIL import Image
    from skimage import data

    folder = Path(data.__file__).parent
    out = {}
    for name in ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
                 "hubble_deep_field.jpg", "retina.jpg", "ihc.png"):
        colour = np.asarray(Image.open(folder / name).convert("RGB"))
        out[f"{name.split('.')[0]} colour"] = colour
        out[f"{name.split('.')[0]} grey"] = np.asarray(Image.fromarray(colour).convert("L"))
    for name in ("camera.png", "coins.png", "moon.png", "grass.png", "gravel.png", "brick.png", "page.png"):
        out[f"{name.split('.')[0]} grey"] = np.asarray(Image.open(folder / name).convert("L"))
    return out


def copies(repeat, starts, warmups, summary, images=None, what="copies"):
    """``main_table``'s comparison on ``images`` (:func:`image_copies` if None), the
    random start at k = 5 from ``starts`` seeds, the default start at k = 20 and 50 from
    seed 0; one count per HALS warm-up in ``warmups`` (``topicnmf.images._fit.WARMUP``,
    which ``compress`` applies from a random start only)."""
    from topicnmf.images import _fit

    images = image_copies() if images is None else images
    default = _fit.WARMUP
    counts = {w: [0, 0, 0] for w in warmups}  # reached in at most TARGET_REACH, PSNR at least, comparisons
    print(f"\n{what}: {len(images)} images; k = 5 from {starts} random start(s), "
          f"k = 20 and 50 from the default start; reach/cd, reach/mu and PSNR - theirs per warm-up {warmups}")
    for label, image in images.items():
        for k, init in CASES:
            for seed in range(starts if init == "random" else 1):
                theirs = [run_sklearn(image, k, init, solver, repeat, seed) for solver in ("cd", "mu")]
                line = f"{label:<28} {'x'.join(map(str, _to_matrix(image).shape)):>9} k={k:<3} seed {seed:<3}"
                # the warm-up applies from a random start only: the others run once, counted for each
                runs = {}
                for w in warmups if init == "random" else warmups[:1]:
                    _fit.WARMUP = w
                    try:
                        runs[w] = run_topicnmf(image, k, init, repeat, seed, ssim=False)
                    finally:
                        _fit.WARMUP = default
                for w in warmups:
                    ours = runs.get(w, runs[warmups[0]])
                    for other in theirs:
                        ratio = reach_ratio(ours, other)
                        gap = ours["psnr"] - other["psnr"]
                        counts[w][0] += ratio <= TARGET_REACH
                        counts[w][1] += ends_no_lower(ours, other)
                        counts[w][2] += 1
                        if w in runs:
                            line += f" {ratio:>5.2f}x {gap:>+7.3f}"
                    line += " |" if w in runs else ""
                print(line, flush=True)
    for w, (reached, psnr_ok, n) in counts.items():
        summary.append(f"{what}, warm-up {w}: reach within {TARGET_REACH}x of scikit-learn's time in "
                       f"{reached} of {n} comparisons; PSNR at least theirs in {psnr_ok} of {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["main", "colour", "svd", "big", "big-photographs", "copies",
                                           "photographs"], nargs="*")
    parser.add_argument("--starts", type=int, default=1,
                        help="copies, photographs: random starts (seeds 0 .. N-1) at k = 5")
    parser.add_argument("--warmup", type=int, nargs="+",
                        help="copies, photographs: HALS warm-ups to compare (default: compress's own)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
          + f"; {os.cpu_count()} cores; OPENBLAS_NUM_THREADS="
          + os.environ.get("OPENBLAS_NUM_THREADS", "unset"))
    from PIL import Image
    from sklearn.datasets import load_sample_image

    images = sample_images()
    big = np.asarray(Image.fromarray(load_sample_image("china.jpg")).convert("L").resize((1000, 1000), Image.BICUBIC))
    only = set(args.only or ["main", "colour", "svd", "big"])
    summary: list[str] = []
    if "main" in only:
        main_table(images, args.repeat, summary)
    if "colour" in only:
        colour_layouts(images, args.repeat, summary)
    if "svd" in only:
        svd_bound(images, big, summary)
    if "big" in only:
        big_image(big, args.repeat, summary)
    from topicnmf.images._fit import WARMUP

    warmups = args.warmup or [WARMUP]
    if "copies" in only:
        copies(args.repeat, args.starts, warmups, summary)
    if "photographs" in only:
        copies(args.repeat, args.starts, warmups, summary, photographs(), "photographs")
    if "big-photographs" in only:
        big_photographs(args.repeat, summary)
    print("\nSummary")
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
