"""The single-neuron grid: 50×50 starting points (w₀, b₀) × 300 epochs, both losses.

The timed unit is what a grid figure needs for one loss:
``neuron.simulate(w0, b0, eta=0.15, epochs=300, loss=...).epochs_to_learn()`` on a
meshgrid of starts in [−4, 4]² (x = 1, t = 0, the lecture's example).
"""

import time

import numpy as np

from lecture_mlp import neuron

TARGET_MS = 50.0
LOSSES = ("quadratic", "cross_entropy")


def run(*, n=50, epochs=300, repeats=7, log=print):
    """Best and median ms per loss and for both together: the report's "neuron_grid"."""
    w0, b0 = np.meshgrid(np.linspace(-4, 4, n), np.linspace(-4, 4, n))
    times = {loss: [] for loss in LOSSES}
    for _ in range(repeats):
        for loss in LOSSES:
            start = time.perf_counter()
            neuron.simulate(w0, b0, eta=0.15, epochs=epochs, loss=loss).epochs_to_learn()
            times[loss].append((time.perf_counter() - start) * 1e3)
    both = np.add(*times.values())  # the two losses' runs of the same repeat
    section = {"grid": [n, n], "epochs": epochs, "repeats": repeats, "target_ms": TARGET_MS}
    for name, ms in (*times.items(), ("both", both)):
        section[name] = {"best_ms": round(float(np.min(ms)), 2),
                         "median_ms": round(float(np.median(ms)), 2)}
    log(f"  neuron grid {n}x{n} x {epochs} epochs: quadratic "
        f"{section['quadratic']['median_ms']:.1f} ms, cross entropy "
        f"{section['cross_entropy']['median_ms']:.1f} ms, both "
        f"{section['both']['median_ms']:.1f} ms (median)")
    return section
