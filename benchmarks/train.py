"""What ``MLP.train``'s records cost on top of the epochs themselves.

On the epoch benchmark's problem (784-100-10 sigmoid, 60,000 seeded random samples,
float32, η = 0.1, cross entropy), for each batch size:

- ``epoch_s``: one ``net.epoch(...)``, best of the repeats;
- ``train_1_s``: ``net.train(epochs=1)``: its argument checks, the record before
  training, one epoch and its record;
- ``train_per_epoch_s``: (``train(epochs=1 + E)`` − ``train(epochs=1)``) ÷ E, both best
  of the repeats: what each further epoch of ``train`` costs, the one-time start (the
  record before training, the checks) taken out. Its ratio to ``epoch_s`` has the
  target ≤ 1.25 at batch ≥ 128;
- the same per-epoch ratio with ``record="after"`` (a forward pass over all of X after
  every epoch: what every mini-batch record cost before the "during" record existed),
  and with a held-out set of 10,000 samples (one forward pass over them per epoch).
"""

import time

import numpy as np

from lecture_mlp import MLP

from .epoch import ETA, N_SAMPLES, PAUSE, SIZES, _timed, dataset

BATCH_SIZES = (128, 1024)
TARGET = 1.25
N_VAL = 10_000
LOSS = "cross_entropy"


def run(*, sizes=SIZES, n_samples=N_SAMPLES, batch_sizes=BATCH_SIZES, extra_epochs=3, repeats=3,
        n_val=N_VAL, pause=PAUSE, log=print):
    """The report's "train" section: a row per batch size (seconds and ratios)."""
    X, t = dataset("float32", n_samples, sizes)
    X_val, t_val = dataset("float32", n_val, sizes, seed=1)
    section = {"sizes": list(sizes), "n_samples": n_samples, "n_val": n_val, "loss": LOSS,
               "eta": ETA, "extra_epochs": extra_epochs, "repeats": repeats, "target": TARGET,
               "rows": []}
    variants = {"default": {}, "after": {"record": "after"},
                "held_out": {"X_val": X_val, "t_val": t_val}}
    for batch_size in batch_sizes:
        net = MLP(list(sizes), LOSS, seed=0, dtype=np.float32)
        warm = slice(0, min(n_samples, 20 * batch_size))
        net.epoch(X[warm], t[warm], eta=ETA, batch_size=batch_size, rng=0)
        times = {"epoch": []}
        times.update({f"{name}_{e}": [] for name in variants for e in (1, 1 + extra_epochs)})
        for r in range(repeats):
            time.sleep(pause)
            times["epoch"].append(_timed(net.epoch, X, t, eta=ETA, batch_size=batch_size, rng=r))
            for name, options in variants.items():
                for e in (1, 1 + extra_epochs):
                    time.sleep(pause)
                    times[f"{name}_{e}"].append(_timed(net.train, X, t, eta=ETA, epochs=e,
                                                       batch_size=batch_size, seed=r, **options))
        best = {key: min(values) for key, values in times.items()}
        row = {"batch_size": batch_size, "times_s": times, "epoch_s": best["epoch"]}
        for name in variants:
            per_epoch = (best[f"{name}_{1 + extra_epochs}"] - best[f"{name}_1"]) / extra_epochs
            row[name] = {"train_1_s": best[f"{name}_1"], "per_epoch_s": per_epoch,
                         "ratio": round(per_epoch / best["epoch"], 3),
                         "train_1_ratio": round(best[f"{name}_1"] / best["epoch"], 3)}
        section["rows"].append(row)
        log(f"  train batch {batch_size:5d}: epoch {row['epoch_s']:.3f} s, train per epoch "
            f"{row['default']['per_epoch_s']:.3f} s (ratio {row['default']['ratio']:.2f}, "
            f"target ≤ {TARGET}); train(epochs=1) {row['default']['train_1_s']:.3f} s")
    return section
