"""Labs for "the problem with the quadratic loss" (notebook 02)."""

import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ._base import Lab, readout_table


def theta_factors(theta, t):
    """O = σ(θ), σ'(θ), the quadratic delta factor (O − t)σ'(θ) and the cross-entropy
    delta factor (O − t), for a single output unit."""
    O = sigmoid(theta)
    s = sigmoid_prime(theta)
    return {"O": O, "sigma_prime": s, "quadratic": (O - t) * s, "cross_entropy": O - t}


class ThetaLab(Lab):
    """A θ slider: O, σ'(θ) and both output deltas side by side."""

    title = "output delta against θ: quadratic vs cross entropy"
    figsize = (9.0, 3.2)
    grid = np.linspace(-10, 10, 401)

    def controls_(self):
        return {
            "theta": widgets.FloatSlider(value=4.0, min=-10, max=10, step=0.1,
                                         description="θ", continuous_update=True),
            "t": widgets.FloatSlider(value=0.0, min=0, max=1, step=0.05, description="target t"),
        }

    def build(self, fig):
        ax_o, ax_d = fig.subplots(1, 2)
        self.curves = {
            "O": ax_o.plot(self.grid, sigmoid(self.grid), label="O = σ(θ)")[0],
            "sigma_prime": ax_o.plot(self.grid, sigmoid_prime(self.grid), label="σ'(θ)")[0],
            "quadratic": ax_d.plot([], [], label="quadratic δ = (O − t)σ'(θ)")[0],
            "cross_entropy": ax_d.plot([], [], label="cross entropy δ = O − t")[0],
        }
        self.markers = {name: ax.plot([], [], "o", color=line.get_color())[0]
                        for name, line, ax in (("O", self.curves["O"], ax_o),
                                               ("sigma_prime", self.curves["sigma_prime"], ax_o),
                                               ("quadratic", self.curves["quadratic"], ax_d),
                                               ("cross_entropy", self.curves["cross_entropy"],
                                                ax_d))}
        ax_o.set(xlabel="θ", xlim=(-10, 10), ylim=(-0.05, 1.05), title="output and its slope")
        ax_d.set(xlabel="θ", xlim=(-10, 10), ylim=(-1.05, 1.05), title="output delta δ = ∂C/∂θ")
        for ax in (ax_o, ax_d):
            ax.axhline(0, color="0.8", lw=0.8)
            ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()

    def draw(self, theta, t):
        curves = theta_factors(self.grid, t)
        for name in ("quadratic", "cross_entropy"):
            self.curves[name].set_data(self.grid, curves[name])
        here = theta_factors(np.float64(theta), t)
        for name, marker in self.markers.items():
            marker.set_data([theta], [here[name]])
        self.readout.value = readout_table([
            ("O = σ(θ)", f"{here['O']:.4f}"),
            ("σ'(θ) = O(1 − O)", f"{here['sigma_prime']:.4f}"),
            ("quadratic δ = (O − t)σ'(θ)", f"{here['quadratic']:+.4f}"),
            ("cross-entropy δ = O − t", f"{here['cross_entropy']:+.4f}"),
        ])
