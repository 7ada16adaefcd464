"""lecture_mlp.digits: the bundled digits, and the MNIST loader offline.

The MNIST tests never touch the network: they write a small cache file in the
loader's format and load it, or replace the download with one that fails as an
offline machine's does.
"""

import subprocess
import sys
import urllib.error

import numpy as np
import pytest

from lecture_mlp import digits


def test_bundled_digits_split_scaled_one_hot():
    data = digits.load_digits()
    assert data.X.shape == (1500, 64) and data.X_val.shape == (297, 64)
    assert data.t.shape == (1500, 10) and data.t_val.shape == (297, 10)
    assert data.image_shape == (8, 8) and data.X.dtype == np.float64
    both = np.vstack([data.X, data.X_val])
    assert both.min() == 0 and both.max() == 1  # 0..16 divided by 16
    for t in (data.t, data.t_val):
        assert set(np.unique(t)) == {0.0, 1.0} and np.all(t.sum(axis=1) == 1)
    # Every image once: the split is a permutation of sklearn's 1,797 rows.
    from sklearn.datasets import load_digits

    bunch = load_digits()
    original = {tuple(row) for row in bunch.data / 16}
    assert {tuple(row) for row in both} == original
    # Labels travel with their images.
    lookup = {tuple(row): label for row, label in zip(bunch.data / 16, bunch.target)}
    assert all(lookup[tuple(x)] == y for x, y in zip(data.X_val, data.val_labels))
    assert all(lookup[tuple(x)] == y for x, y in zip(data.X[:100], data.labels[:100]))


def test_bundled_digits_are_sklearns_rows_without_importing_sklearn():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images, labels = digits.bundled_digits()
    np.testing.assert_array_equal(images, bunch.data)
    np.testing.assert_array_equal(labels, bunch.target)
    assert images.dtype == bunch.data.dtype and labels.dtype.kind == "i"
    # In a fresh process, loading the digits leaves scikit-learn unimported.
    code = ("import sys; from lecture_mlp.digits import load_digits; load_digits(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_bundled_digits_fall_back_to_sklearns_loader(monkeypatch):
    import importlib.util

    from sklearn.datasets import load_digits

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # no file found
    images, labels = digits.bundled_digits()
    np.testing.assert_array_equal(images, load_digits().data)
    np.testing.assert_array_equal(labels, load_digits().target)


def test_split_is_seeded():
    a, b, c = digits.load_digits(seed=0), digits.load_digits(seed=0), digits.load_digits(seed=1)
    np.testing.assert_array_equal(a.X_val, b.X_val)
    assert not np.array_equal(a.X_val, c.X_val)
    assert len(digits.load_digits(n_val=100).X) == 1697


@pytest.mark.parametrize("n_val", [0, 1797, 2.5])
def test_bad_split(n_val):
    with pytest.raises(ValueError, match="n_val"):
        digits.load_digits(n_val=n_val)


def test_one_hot():
    np.testing.assert_array_equal(digits.one_hot([2, 0]), [[0, 0, 1] + [0] * 7,
                                                           [1] + [0] * 9])
    with pytest.raises(ValueError, match="labels must be"):
        digits.one_hot([10])


def fake_mnist(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 784)).astype(np.uint8), rng.integers(0, 10, n)


def test_mnist_from_a_cache_file(tmp_path):
    images, labels = fake_mnist(10_050)  # 50 "training" images, then 10,000 "test" ones
    digits.write_cache(tmp_path / digits.MNIST_FILE, images, labels)
    data = digits.load_mnist(cache=tmp_path, download=False)
    assert data.name == "mnist" and data.image_shape == (28, 28)
    assert data.X.dtype == np.float32 and data.t.dtype == np.float32
    assert data.X.shape == (50, 784) and data.X_val.shape == (10_000, 784)
    np.testing.assert_allclose(data.X, images[:50] / 255, rtol=1e-6)
    np.testing.assert_allclose(data.X_val, images[50:] / 255, rtol=1e-6)
    np.testing.assert_array_equal(data.labels, labels[:50])
    np.testing.assert_array_equal(data.val_labels, labels[50:])
    assert len(digits.load_mnist(cache=tmp_path, n_train=20, download=False).X) == 20


def test_mnist_cache_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(digits.CACHE_ENV, str(tmp_path))
    assert digits.cache_dir() == tmp_path
    digits.write_cache(tmp_path / digits.MNIST_FILE, *fake_mnist(10_003))
    assert digits.load("mnist").X.shape == (3, 784)  # the notebook's switch reads the cache


def test_mnist_is_downloaded_once_then_cached(tmp_path, monkeypatch):
    images, labels = fake_mnist(10_010, seed=2)
    calls = []

    def fetch_openml(name, **kwargs):
        calls.append((name, kwargs))

        class Bunch:
            data = images.astype(np.float64)  # as OpenML's ARFF comes: floats and strings
            target = labels.astype(str).astype(object)
        return Bunch()

    import sklearn.datasets

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fetch_openml)
    first = digits.load_mnist(cache=tmp_path)
    second = digits.load_mnist(cache=tmp_path)
    assert len(calls) == 1 and calls[0][0] == "mnist_784"
    assert calls[0][1]["data_home"] == tmp_path / "openml"
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.val_labels, labels[10:])
    assert not list(tmp_path.glob("*.partial*"))


def test_offline_download_fails_with_one_sentence(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    import sklearn.datasets

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    with pytest.raises(RuntimeError) as caught:
        digits.load_mnist(cache=tmp_path)
    message = str(caught.value)
    assert message.startswith("Could not download MNIST from openml.org (URLError")
    assert "connect to the internet" in message and 'DATASET = "digits"' in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert not (tmp_path / digits.MNIST_FILE).exists()


def test_no_cache_without_download(tmp_path):
    with pytest.raises(RuntimeError, match="MNIST is not cached at"):
        digits.load_mnist(cache=tmp_path, download=False)


def test_a_broken_cache_is_named(tmp_path):
    path = tmp_path / digits.MNIST_FILE
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="is not a readable MNIST cache"):
        digits.load_mnist(cache=tmp_path)
    np.savez(path, images=np.zeros((3, 5), np.uint8), labels=np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match="is not an MNIST cache"):
        digits.load_mnist(cache=tmp_path)


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match='DATASET must be "digits" or "mnist"'):
        digits.load("fashion")
