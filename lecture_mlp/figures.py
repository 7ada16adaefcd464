"""Static figures for the notebooks: drawn once, shown as a PNG.

Notebooks run under ``%matplotlib widget`` so that the labs are live; a figure that
never changes is better shown as a plain image: it renders on GitHub, costs no
widget, and its saved text form (``<IPython.core.display.Image object>``) is the
same on every run, which full nbval compares.
"""

import io

from matplotlib.figure import Figure


def new_figure(ncols=1, nrows=1, *, figsize=(9.0, 3.4), **subplot_kw):
    """A Figure outside pyplot (nothing is displayed or kept alive) and its axes."""
    fig = Figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None, squeeze=True)
    return fig, axes


def show(fig):
    """Display ``fig`` as a PNG image in the notebook (or do nothing outside IPython)."""
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=100)
    display(Image(buf.getvalue()))
