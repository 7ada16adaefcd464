"""One epoch of mini-batch SGD: lecture_mlp beside PyTorch and beside the BLAS floor.

The timed unit is ``net.epoch(X, t, eta=ETA, batch_size=B, rng=seed)``: one shuffle,
then one step per batch, input checks included, no loss evaluation. The PyTorch twins
(benchmarks.torch_twins) do the same work in the same process. Engines take turns
within each repeat, so a change in the machine's load hits all of them alike. Each pair
(lecture_mlp and one torch twin, same configuration) gives a ratio of best times;
noise only ever adds time, so the best of several repeats is the steadiest estimate.
The median of the per-repeat ratios is kept in the JSON as well.

The BLAS floor is the epoch's floating-point work over the measured matmul peak:
forward O^{k−1} W^k, weight gradients O^{k−1}ᵀ δ^k, and δ^k W^kᵀ for k ≥ 2 (the
input layer needs no δ^0), 2 flops per multiply-add; the peak is the best of a large
square matmul measured before and after the dtype's epochs. ``matmuls_alone_s`` is the
time of the epoch's own products at each batch size, on arrays already in cache, and
``checks_s`` the time ``epoch`` spends checking its arguments before the first batch
(shapes, t finite and in [0, 1]; X is checked for NaN and inf batch by batch, inside
the timed epoch, as its rows are copied out).
"""

import gc
import time

import numpy as np

from lecture_mlp import MLP

from .machine import OtherProcesses, load_average

SIZES = (784, 100, 10)
N_SAMPLES = 60_000
BATCH_SIZES = (10, 32, 128, 1024)
LOSSES = ("quadratic", "cross_entropy")
DTYPES = ("float32", "float64")
ETA = 0.1
PAUSE = 0.15  # s between timings: lets BLAS/OpenMP worker threads stop spinning


def dataset(dtype, n=N_SAMPLES, sizes=SIZES, seed=0):
    """Seeded random data shaped like MNIST: X in [0, 1) (n × n_0), one-hot t (n × n_K)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, sizes[0]), dtype=np.float64).astype(dtype)
    t = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], n)]
    return X, t


def epoch_flops(sizes, n):
    """Floating-point operations of the matrix products in one epoch over n samples."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(a * b for a, b in pairs)
    backprop = sum(a * b for a, b in pairs[1:])
    return 2 * n * (2 * forward + backprop)


def matmul_peak(dtype, n=2048, repeats=5):
    """GFLOP/s of numpy's matmul on two n × n matrices (best of ``repeats``)."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    c = np.empty_like(a)
    np.matmul(a, b, out=c)  # warm-up: threads started, pages touched
    best = min(_timed(np.matmul, a, b, out=c) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def matmul_time(sizes, n, batch_size, dtype, repeats=3):
    """Seconds for the epoch's matrix products alone at this batch size (best of
    ``repeats`` after a warm-up), on arrays already in cache: what BLAS needs for the
    epoch's shapes."""
    rng = np.random.default_rng(0)
    weights = [rng.random((a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]

    def products(rows):
        outputs = [rng.random((rows, n_k)).astype(dtype) for n_k in sizes]
        grads = [np.empty_like(W) for W in weights]
        back = [np.empty((rows, n_k), dtype) for n_k in sizes]

        def step():
            for k, W in enumerate(weights, start=1):
                np.matmul(outputs[k - 1], W, out=outputs[k])  # θ^k
                np.matmul(outputs[k - 1].T, outputs[k], out=grads[k - 1])  # O^{k−1}ᵀ δ^k
                if k > 1:
                    np.matmul(outputs[k], W.T, out=back[k - 1])  # δ^k W^kᵀ
        return step

    full, rest = divmod(n, batch_size)
    steps = [(products(batch_size), full)] + ([(products(rest), 1)] if rest else [])

    def epoch():
        for step, count in steps:
            for _ in range(count):
                step()

    epoch()
    return min(_timed(epoch) for _ in range(repeats))


def _timed(func, *args, **kwargs):
    """Seconds for one call, with the cyclic garbage collector off (as timeit does)."""
    gc.disable()
    try:
        start = time.perf_counter()
        func(*args, **kwargs)
        return time.perf_counter() - start
    finally:
        gc.enable()


def _summary(times):
    return {"times_s": times, "best_s": min(times), "median_s": float(np.median(times))}


def _ratios(times, engines):
    """lecture_mlp ÷ each twin: of the best times, and the median of per-repeat ratios."""
    best = {f"numpy/{name}": round(min(times["numpy"]) / min(times[name]), 3)
            for name in engines[1:]}
    pairwise = {f"numpy/{name}": round(float(np.median(np.divide(times["numpy"],
                                                                    times[name]))), 3)
                for name in engines[1:]}
    return best, pairwise


def check_twins(sizes=SIZES, n=64, seed=0):
    """Float64 gradients of the package and of each torch twin on one batch of the
    benchmark's data, for both losses: the largest relative error per twin."""
    from .torch_twins import gradient_agreement

    X, t = dataset(np.float64, n=n, sizes=sizes, seed=seed)
    worst = {}
    for loss in LOSSES:
        net = MLP(list(sizes), loss, seed=seed)
        for name, error in gradient_agreement(net, X, t, loss).items():
            worst[name] = max(worst.get(name, 0.0), error)
    return worst


def run(*, sizes=SIZES, n_samples=N_SAMPLES, batch_sizes=BATCH_SIZES, losses=LOSSES,
        dtypes=DTYPES, repeats=3, torch_module=None, pause=PAUSE, peak_size=2048, log=print):
    """Time every (dtype, loss, batch size); return the report's "epoch" section.

    The repeats run in rounds: each round times every configuration once, every engine
    in turn, so a burst of load from elsewhere spoils one repeat of many configurations
    rather than every repeat of one. Repeat r of every engine uses the seed r.
    """
    engines = ["numpy"]
    if torch_module is not None:
        from .torch_twins import TWINS
        engines += list(TWINS)
    section = {"sizes": list(sizes), "n_samples": n_samples, "eta": ETA, "repeats": repeats,
               "engines": engines, "flops": epoch_flops(sizes, n_samples), "blas": {},
               "checks_s": {}, "rows": []}
    if torch_module is not None:
        section["twin_gradient_error"] = check_twins(sizes)
    data = {dtype: dataset(dtype, n_samples, sizes) for dtype in dtypes}
    configs = [(dtype, loss, batch_size) for dtype in dtypes for loss in losses
               for batch_size in batch_sizes]
    runners = {config: _runners(*data[config[0]], sizes, *config[1:], engines, torch_module)
               for config in configs}
    times = {config: {name: [] for name in [*engines, "matmuls"]} for config in configs}
    peaks = {dtype: [] for dtype in dtypes}
    checks = {dtype: [] for dtype in dtypes}
    section["load_average_per_round"] = []
    section["others_cpu_per_round"] = []
    meter = OtherProcesses()
    for r in range(repeats):
        meter.start()
        for dtype in dtypes:
            peaks[dtype].append(matmul_peak(dtype, peak_size))
            checks[dtype].append(_timed(MLP(list(sizes), losses[0], dtype=dtype)._check_data,
                                        *data[dtype], finite_X=False))
        # The engines' order turns from round to round, so that no engine always runs
        # right after the same other one.
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        for config in configs:
            X, t = data[config[0]]
            for name in order:
                time.sleep(pause)
                times[config][name].append(_timed(runners[config][name], X, t, r))
            times[config]["matmuls"].append(matmul_time(sizes, n_samples, config[2], config[0],
                                                        repeats=1))
        section["load_average_per_round"].append(load_average())
        section["others_cpu_per_round"].append(meter.share())
        log(f"  epoch round {r + 1} of {repeats} done; other processes used "
            f"{section['others_cpu_per_round'][-1]} of the CPU")
    for dtype in dtypes:
        peak = max(peaks[dtype])
        section["blas"][dtype] = {"peak_gflops": round(peak, 1), "matmul_size": peak_size,
                                  "floor_s": section["flops"] / peak / 1e9,
                                  # a dip marks a round where the host slowed the threads
                                  "peak_gflops_per_round": [round(x, 1) for x in peaks[dtype]]}
        section["checks_s"][dtype] = min(checks[dtype])
    for (dtype, loss, batch_size), config_times in times.items():
        row = {"dtype": dtype, "loss": loss, "batch_size": batch_size}
        row.update({name: _summary(config_times[name]) for name in engines})
        row["ratios"], row["pairwise_median_ratios"] = _ratios(config_times, engines)
        row["matmuls_alone_s"] = min(config_times["matmuls"])
        row["floor_ratio"] = round(row["numpy"]["best_s"] / section["blas"][dtype]["floor_s"],
                                   3)
        section["rows"].append(row)
        log(_progress(row))
    return section


def _runners(X, t, sizes, loss, batch_size, engines, torch_module):
    """{engine: epoch(X, t, seed)} for one configuration, each engine warmed up; the
    networks keep training from one round to the next."""
    net = MLP(list(sizes), loss, seed=0, dtype=X.dtype)
    runners = {"numpy": lambda X, t, seed: net.epoch(X, t, eta=ETA, batch_size=batch_size,
                                                     rng=seed)}
    if torch_module is not None:
        from .torch_twins import TWINS

        generator = torch_module.Generator().manual_seed(0)
        for name in engines[1:]:
            twin = TWINS[name](net.copy(), loss, ETA)  # the same initial weights
            runners[name] = lambda X, t, seed, twin=twin: twin.epoch(
                torch_module.from_numpy(X), torch_module.from_numpy(t), batch_size, generator)
    # Warm-up on a slice: threads started, buffers and code paths touched.
    warm = slice(0, min(len(X), 20 * batch_size))
    for name in engines:
        runners[name](X[warm], t[warm], 0)
    return runners


def _progress(row):
    text = (f"  epoch {row['dtype']} {row['loss']:13s} batch {row['batch_size']:5d}: "
            f"numpy {row['numpy']['best_s']:.3f} s")
    for pair, ratio in row["ratios"].items():
        name = pair.split("/")[1]
        text += f", {name} {row[name]['best_s']:.3f} s (ratio {ratio:.2f})"
    return text + f"; matmuls alone {row['matmuls_alone_s']:.3f} s"
