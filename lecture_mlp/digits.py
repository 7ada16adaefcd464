"""Handwritten digits for notebook 06: scikit-learn's bundled 8×8 digits, or MNIST.

Both come as a ``DigitData``: training rows X (N × n_0, pixels scaled to [0, 1]) with
one-hot targets t (N × 10), held-out rows X_val, t_val the same way, and the image
shape to draw a row as a picture. Digit labels 0-9 are labels, not indices: the
one-hot column j is the digit j.

- ``load_digits(seed=0)``: the 1,797 8×8 digits that ship with scikit-learn (no
  download), pixel values 0-16 divided by 16, split by a seeded shuffle into 1,500
  training and 297 held-out digits.
- ``load_mnist()``: MNIST (70,000 28×28 images, 0-255 divided by 255) from OpenML
  through ``sklearn.datasets.fetch_openml("mnist_784")``, downloaded once (about
  55 MB) and then read from a cache on disk, ``mnist_784.npz`` in ``cache_dir()``
  (``~/.cache/lecture_mlp``, or the directory in the environment variable
  ``LECTURE_MLP_DATA``). Nielsen's split: training on the first 50,000 images, held
  out the 10,000 test images (the last 10,000 rows). Float32, to halve its memory.

Importing this module loads nothing; scikit-learn is imported only for MNIST (the
bundled digits are read from scikit-learn's file directly).
"""

import os
import pathlib
from dataclasses import dataclass

import numpy as np

from .validation import check_count

CLASSES = 10
CACHE_ENV = "LECTURE_MLP_DATA"
MNIST_FILE = "mnist_784.npz"
MNIST_ROWS, MNIST_PIXELS, MNIST_TEST = 70_000, 784, 10_000


@dataclass
class DigitData:
    """Training and held-out digits. X: N × n_0 in [0, 1]; t: N × 10 one-hot (column j
    is the digit j); the same for X_val, t_val; ``image_shape`` (rows, columns) of one
    image, so ``X[i].reshape(image_shape)`` is sample i as a picture."""

    name: str
    X: np.ndarray
    t: np.ndarray
    X_val: np.ndarray
    t_val: np.ndarray
    image_shape: tuple

    @property
    def labels(self):
        """The training digits' labels 0-9 (N,)."""
        return self.t.argmax(axis=1)

    @property
    def val_labels(self):
        """The held-out digits' labels 0-9."""
        return self.t_val.argmax(axis=1)

    def __repr__(self):
        return (f"DigitData({self.name!r}: {len(self.X)} training and {len(self.X_val)} "
                f"held-out images of {self.image_shape[0]}×{self.image_shape[1]})")


def one_hot(labels, classes=CLASSES, dtype=np.float64):
    """N × ``classes`` targets with a 1 in column ``labels[n]`` of row n."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must be a 1-D array of integers in 0..{classes - 1}")
    return np.eye(classes, dtype=dtype)[labels]


def split(images, labels, *, n_val, seed, image_shape, name, scale, dtype=np.float64):
    """A seeded shuffle of the rows, the first ``n_val`` held out: a DigitData with
    pixels divided by ``scale`` (their largest possible value) and one-hot targets."""
    order = np.random.default_rng(seed).permutation(len(images))
    val, train = order[:n_val], order[n_val:]
    X = np.asarray(images, dtype=dtype) / np.asarray(scale, dtype=dtype)
    return DigitData(name, X[train], one_hot(labels[train], dtype=dtype), X[val],
                     one_hot(labels[val], dtype=dtype), tuple(image_shape))


def load_digits(*, n_val=297, seed=0):
    """scikit-learn's bundled 8×8 digits (1,797 images, no download), pixels 0-16
    scaled to [0, 1], split by a seeded shuffle: ``n_val`` held out (297 by default),
    the rest (1,500) for training. Float64."""
    n_val = check_count(n_val, "n_val", 1)
    images, labels = bundled_digits()
    if n_val >= len(labels):
        raise ValueError(f"n_val must leave training digits: at most {len(labels) - 1}, "
                         f"got {n_val}")
    return split(images, labels, n_val=n_val, seed=seed, image_shape=(8, 8),
                 name="digits", scale=16.0)


def bundled_digits():
    """(images 1,797 × 64 float64, labels int): the rows ``sklearn.datasets.load_digits``
    returns, read from the file it reads (``datasets/data/digits.csv.gz``: 64 pixel
    columns, then the label) without importing scikit-learn, whose import takes
    seconds on a small machine and most of the notebook's start. Where that file is not
    found (another layout in some release), scikit-learn's own loader."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")  # finds the package, runs none of it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = pathlib.Path(folder, "datasets", "data", "digits.csv.gz")
        if path.is_file():
            table = np.loadtxt(path, delimiter=",")
            return table[:, :-1], table[:, -1].astype(int)
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    return bunch.data, bunch.target


def cache_dir():
    """Where downloaded data sets are kept: $LECTURE_MLP_DATA, else ~/.cache/lecture_mlp."""
    return pathlib.Path(os.environ.get(CACHE_ENV) or pathlib.Path.home() / ".cache" / "lecture_mlp")


def load_mnist(*, cache=None, n_train=50_000, download=True):
    """MNIST as a float32 DigitData: training on the first ``n_train`` (≤ 60,000) of the
    60,000 training images (Nielsen's 50,000 by default), held out the 10,000 test
    images. Read from ``mnist_784.npz`` in ``cache`` (default ``cache_dir()``); if it
    is not there and ``download`` is true, fetched from OpenML once (about 55 MB) and
    written there. Without the file and without internet: one RuntimeError that says
    what failed and what to do."""
    n_train = check_count(n_train, "n_train", 1)
    if n_train > MNIST_ROWS - MNIST_TEST:
        raise ValueError(f"n_train must be at most {MNIST_ROWS - MNIST_TEST}, got {n_train}")
    path = pathlib.Path(cache if cache is not None else cache_dir()) / MNIST_FILE
    if not path.exists():
        if not download:
            raise RuntimeError(f"MNIST is not cached at {path}; load it once with "
                               f"download=True (it needs internet, about 55 MB).")
        _download_mnist(path)
    images, labels = read_cache(path)
    n_rows = len(labels)
    test = np.arange(n_rows - MNIST_TEST, n_rows) if n_rows > MNIST_TEST else np.arange(0)
    train = np.arange(min(n_train, n_rows - len(test)))
    X = images.astype(np.float32) / np.float32(255)
    return DigitData("mnist", X[train], one_hot(labels[train], dtype=np.float32), X[test],
                     one_hot(labels[test], dtype=np.float32), (28, 28))


def read_cache(path):
    """(images uint8 n × 784, labels uint8 n) from a cache file written by ``write_cache``;
    a ValueError naming the file if it is not one."""
    try:
        with np.load(path) as f:
            images, labels = f["images"], f["labels"]
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable MNIST cache ({exc}); delete it and load "
                         f"again to download a fresh copy.") from None
    if (images.ndim != 2 or images.shape[1] != MNIST_PIXELS or labels.shape != images.shape[:1]
            or images.dtype != np.uint8 or labels.size == 0 or labels.max() >= CLASSES):
        raise ValueError(f"{path} is not an MNIST cache (expected uint8 images n × 784 and "
                         f"labels 0-9, got {images.dtype} {images.shape} and {labels.shape}); "
                         f"delete it and load again.")
    return images, labels


def write_cache(path, images, labels):
    """Write images (n × 784, 0-255) and labels (n, 0-9) as uint8 to ``path`` (.npz),
    atomically: a download interrupted half-way leaves no half-written cache."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez_compressed(partial, images=np.asarray(images, dtype=np.uint8),
                        labels=np.asarray(labels, dtype=np.uint8))
    os.replace(partial, path)


def _download_mnist(path):
    from sklearn.datasets import fetch_openml

    try:
        # The liac-arff parser needs no pandas; OpenML's own download cache goes beside ours.
        bunch = fetch_openml("mnist_784", version=1, as_frame=False, parser="liac-arff",
                             data_home=path.parent / "openml", n_retries=1, delay=1.0)
    except Exception as exc:  # URLError, HTTPError, a timeout, a broken partial download
        raise RuntimeError(f"Could not download MNIST from openml.org ({type(exc).__name__}: "
                           f"{exc}); connect to the internet and run this again, or keep "
                           f'DATASET = "digits", which needs no download.') from None
    write_cache(path, bunch.data, bunch.target.astype(np.int64))


def load(name, *, seed=0):
    """``load_digits(seed=seed)`` for "digits", ``load_mnist()`` for "mnist"."""
    if name == "digits":
        return load_digits(seed=seed)
    if name == "mnist":
        return load_mnist()
    raise ValueError(f'DATASET must be "digits" or "mnist", got {name!r}')
