"""Image compression and parts-based images on the NMF core.

- :func:`compress` factorises one image at rank ``k`` and says how good the
  result is (PSNR, SSIM, values stored) next to the truncated SVD of the same
  rank, the best any rank-``k`` factorisation can do in squared error; colour
  images are one matrix with the channels stacked along the shorter side
  (:mod:`~topicnmf.images._compress` gives the layout and its measurements);
- :func:`parts` factorises a stack of same-sized images, one image per row; the
  rows of ``H`` are the basis images (the "parts" of Lee & Seung, 1999);
- :func:`read_image`, :func:`read_image_stack`, :func:`write_image` and
  :func:`encode_image` read and write PNG/JPEG (and what else Pillow reads), ``.npy`` and whitespace matrix
  files (``np.loadtxt``), with bounded sizes;
- :func:`psnr` and :func:`ssim` measure a reconstruction;
- :func:`image_grid`, :func:`side_by_side` and :func:`plot_psnr` draw results.

One module per idea: ``_io`` (reading, writing), ``_quality`` (measures),
``_fit`` (the start and the solver call), ``_compress``, ``_parts``,
``_pictures``. The package uses :mod:`topicnmf.nmf` alone (no text modules);
Pillow and matplotlib are imported where they are used.
"""

from topicnmf.images._compress import Compression, compress
from topicnmf.images._io import (
    MATRIX_SUFFIXES,
    MAX_FILE_BYTES,
    MAX_PIXELS,
    encode_image,
    pillow_format,
    read_image,
    read_image_stack,
    write_image,
)
from topicnmf.images._parts import Parts, parts
from topicnmf.images._pictures import image_grid, plot_psnr, side_by_side
from topicnmf.images._quality import psnr, ssim

__all__ = [
    "MATRIX_SUFFIXES",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "Compression",
    "Parts",
    "compress",
    "encode_image",
    "image_grid",
    "parts",
    "pillow_format",
    "plot_psnr",
    "psnr",
    "read_image",
    "read_image_stack",
    "side_by_side",
    "ssim",
    "write_image",
]
