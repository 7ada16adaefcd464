"""Draw docs/learning_slowdown.png, the README's figure, from the package.

    python tools/readme_figure.py
"""

import pathlib

import numpy as np

from lecture_mlp import neuron, sigmoid_prime
from lecture_mlp.figures import new_figure

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    fig, (ax_out, ax_slope) = new_figure(2, figsize=(10, 3.6))
    colours = {"quadratic": "tab:red", "cross_entropy": "tab:blue"}
    for loss, colour in colours.items():
        run = neuron.simulate(2.0, 2.0, loss=loss)
        ax_out.plot(run.output, color=colour, label=loss.replace("_", " "))
        ax_slope.plot(np.abs(run.grad_w), color=colour, label=loss.replace("_", " "))
    ax_out.axhline(0.5, color="0.6", lw=0.8, ls="--")
    ax_out.set(xlabel="epoch", ylabel="output O", ylim=(0, 1),
               title="single neuron from w = b = 2, x = 1, y = 0, η = 0.15")
    ax_slope.set(xlabel="epoch", ylabel="|∂C/∂w|", yscale="log",
                 title=f"σ'(θ) = {sigmoid_prime(4.0):.4f} at the start stalls the quadratic loss")
    for ax in (ax_out, ax_slope):
        ax.legend(frameon=False)
    fig.tight_layout()
    out = ROOT / "docs" / "learning_slowdown.png"
    fig.savefig(out, dpi=100)
    print(out)


if __name__ == "__main__":
    main()
