"""What every interactive lab shares: sliders, readouts and ONE persistent figure.

A lab builds its axes and artists once; a slider change recomputes the data with
the package and updates the artists in place (``set_data`` and friends), then asks
the canvas for one redraw (or blits, see below). Nothing is re-created, so nothing
stacks or flickers.

Under ``%matplotlib widget`` (ipympl) the canvas is a widget and sits in the lab's
box; its callbacks publish no output, so notebooks pass full nbval unmarked. Under
any other backend (tests use Agg) the lab works the same, without the canvas in the
box. With no kernel at all (GitHub, nbviewer, an HTML export) the lab's saved
output still carries a PNG of its default state.

A subclass defines:
- ``controls()``: an ordered dict name -> ipywidgets control (the lecture's symbols);
- ``build(fig)``: create axes and artists, keep them on ``self``;
- ``draw(**values)``: recompute with the package and update the artists and
  ``self.readout`` (a small HTML table of numbers).

A lab may also list, in ``build``, the artists that ``draw`` changes as
``self.moving``. Those, and what a full render would draw over them in their axes
(guide lines, markers, annotations, the frame), are then drawn over a saved copy of the rest of
the figure (blitting): a slider redraws a few lines instead of every tick label,
contour and image, which is most of the cost of a full render. Should ``draw`` change
an axis' limits, or the canvas its size, the update is a full render instead.
(matplotlib's web canvas, which ipympl extends, declares ``supports_blit = False``
for its own animations; its ``blit`` does send the new pixels to the browser, which
the browser tests check for every lab.)
"""

import base64
import html
import io
import re
from operator import attrgetter

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.text import Text

# One colour per loss in every figure and lab of every notebook.
LOSS_COLORS = {"quadratic": "tab:red", "cross_entropy": "tab:blue",
               "softmax_cross_entropy": "tab:green"}


class Lab:
    figsize = (9.0, 3.4)
    title = ""
    retrains = False  # True for labs that retrain on every change (budget 500 ms, else 50 ms)
    moving = ()  # artists a slider moves, drawn over a saved background (see above)

    def __init__(self, **initial):
        self.controls = self.controls_()
        unknown = set(initial) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this lab has "
                             f"{sorted(self.controls)}")
        for name, value in initial.items():
            self.controls[name].value = value
        self.readout = widgets.HTML()
        with plt.ioff():  # under ipympl, do not display the figure on creation
            self.fig = plt.figure(figsize=self.figsize)
        canvas = self.fig.canvas
        for attr, value in (("header_visible", False), ("footer_visible", False),
                            ("toolbar_visible", False), ("resizable", False)):
            if hasattr(canvas, attr):
                setattr(canvas, attr, value)
        # For blitting: (renderer, axes limits, the figure without the blitted layers).
        self._background = None
        self._layers = []  # what a blit draws over the background, in order
        self.build(self.fig)
        if self.moving and hasattr(canvas, "copy_from_bbox"):
            self._layers = self._blitted_layers()
            for artist in self._layers:
                artist.set_animated(True)  # left out of full renders; see _on_full_render
            canvas.mpl_connect("draw_event", self._on_full_render)
        self.update()
        for name, control in self.controls.items():
            if isinstance(control, widgets.FloatLogSlider):
                # The front end snaps a log slider to its exponent grid when it renders
                # and, with continuous updates, sends the snapped value back (η = 0.15
                # would become 0.158 before anyone touched it). Updating on release
                # keeps the default exact.
                control.continuous_update = False
            if hasattr(control, "style") and hasattr(control.style, "description_width"):
                control.style.description_width = "initial"  # never cut a label short
            control.observe(self._on_change, names="value")
            control.add_class(f"control-{name}")  # lets browser tests find each control
        self.widget = self._layout()

    # --- to be defined by each lab
    def controls_(self):
        raise NotImplementedError

    def build(self, fig):
        raise NotImplementedError

    def draw(self, **values):
        raise NotImplementedError

    # --- shared machinery
    def values(self):
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change):
        self.update()

    def update(self):
        """Recompute from the controls and redraw the one figure in place."""
        self.draw(**self.values())
        canvas = self.fig.canvas
        renderer, limits, background = self._background or (None, None, None)
        # get_renderer() is the saved one only while the canvas's size and dpi are the same.
        if (renderer is None or renderer is not canvas.get_renderer()
                or limits != self._limits()):
            # No full render at this size and these limits: ask for one (it saves the
            # background anew).
            canvas.draw_idle()
            return
        canvas.restore_region(background)
        for artist in self._layers:
            artist.draw(renderer)
        canvas.blit(self.fig.bbox)  # ipympl sends the changed pixels to the browser

    def _on_full_render(self, event):
        """After every full render of the canvas (a first display, a resize): keep the
        figure without the blitted layers, then draw them on top, as ``update`` does."""
        if event.canvas.is_saving():
            return  # savefig draws animated artists itself, in place, and is no background
        canvas = self.fig.canvas
        if event.renderer is canvas.get_renderer():
            self._background = (event.renderer, self._limits(),
                                canvas.copy_from_bbox(self.fig.bbox))
        for artist in self._layers:
            artist.draw(event.renderer)

    def _blitted_layers(self):
        """``self.moving`` and, in their axes, every artist a full render draws after the
        first of them (guide lines, markers, annotations, the frame), in a full render's
        order: drawn over the background in that order, they make a blitted frame the
        same picture as a full render. Left in the background, since drawing them again
        would cost what blitting saves: tick labels, titles, legends, and texts outside
        the axes when every moving artist there is clipped to the axes (they can never
        be covered). The labs keep legends where no moving artist goes."""
        moving = {id(artist) for artist in self.moving}
        layers = []
        for ax in self.fig.axes:
            content = {id(a) for a in (*ax.lines, *ax.patches, *ax.collections, *ax.texts,
                                        *ax.images, *ax.artists, *ax.spines.values())}
            # Axes.draw's order: its children by zorder, ties in the order they came.
            artists = sorted((a for a in ax.get_children() if id(a) in content),
                             key=attrgetter("zorder"))
            first = next((i for i, a in enumerate(artists) if id(a) in moving), None)
            if first is None:
                continue
            clipped = all(a.get_clip_on() for a in artists if id(a) in moving)
            layers += [a for a in artists[first:]
                       if not (clipped and id(a) not in moving and _outside(a, ax))]
        placed = {id(artist) for artist in layers}
        return layers + [a for a in self.moving if id(a) not in placed]  # outside any axes

    def set(self, **values):
        """Set several controls at once with a single redraw (used by presets)."""
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
        self.update()

    def _layout(self):
        sliders = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, 1fr)"),
        )
        children = [sliders]
        if isinstance(self.fig.canvas, widgets.DOMWidget):  # ipympl
            children.append(self.fig.canvas)
        children.append(self.readout)
        box = widgets.VBox(children)
        box.add_class("lecture-mlp-lab")
        box.add_class(f"lab-{type(self).__name__}")
        return box

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget where a kernel is, a PNG of the current state where not."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        png = io.BytesIO()
        self.fig.savefig(png, format="png")
        bundle["image/png"] = base64.b64encode(png.getvalue()).decode("ascii")
        bundle["text/plain"] = f"<{type(self).__name__}: {self.title}>"
        return bundle

    def readout_values(self):
        """The readout as {label: value text}, as a reader (or a browser test) sees it."""
        pairs = re.findall(r"data-name='([^']*)'>([^<]*)</td>", self.readout.value)
        return {html.unescape(label): html.unescape(value) for label, value in pairs}

    def _limits(self):
        return [(ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes]

    def close(self):
        """Close the figure (tests create many labs)."""
        plt.close(self.fig)


def axes_text(ax, x, y, text, **kwargs):
    """Text at a fixed place in ``ax``'s axes coordinates. Titles, axis labels and
    legends placed by matplotlib re-measure the tick labels on every redraw; a lab
    redrawn on every slider step saves that time with plain texts (and colour-coded
    names instead of legends)."""
    return ax.text(x, y, text, transform=ax.transAxes, **kwargs)


def fixed_labels(ax, title=None, xlabel=None):
    """A title above and an x label below ``ax``, as plain texts (see ``axes_text``)."""
    if title:
        axes_text(ax, 0.5, 1.025, title, ha="center", va="bottom")
    if xlabel:
        axes_text(ax, 0.5, -0.11, xlabel, ha="center", va="top")


def _outside(text, ax):
    """True for a text placed in ``ax``'s axes coordinates wholly outside the axes (a
    label above, below or beside them), judged without rendering: anchored beyond an
    edge, aligned away from it. (Asking the canvas for a renderer to measure the text
    would create one before ipympl's first draw, which leaves the browser's canvas
    blank: the browser tests caught that.)"""
    if not isinstance(text, Text) or text.get_transform() != ax.transAxes:
        return False
    x, y = text.get_position()
    return ((y > 1 and text.get_va() in ("bottom", "baseline"))
            or (y < 0 and text.get_va() == "top")
            or (x < 0 and text.get_ha() in ("right", "center") and text.get_rotation() == 90)
            or (x > 1 and text.get_ha() == "left"))


def readout_table(rows):
    """An HTML table of (label, value) rows; values are pre-formatted strings."""
    cells = "".join(
        f"<tr><td style='padding-right:1em'>{html.escape(label)}</td>"
        f"<td style='font-family:monospace' class='lab-value' data-name='{html.escape(label)}'>"
        f"{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table class='lab-readout'>{cells}</table>"
