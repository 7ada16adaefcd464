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

After a blit (and after asking for a full render) the figure is marked as drawn: under
``%matplotlib widget`` pyplot redraws every *stale* figure after each message from the
front end (IPython's ``post_execute`` event, which the comm layer also fires), and a
lab left stale would be rendered a second time with nothing new to show. The browser
gets the changed pixels as diff images; after a burst of them a full image follows
(``_keyframes``), since the browser may drop a diff that a newer one replaced.

Lifecycle: at most one lab of each class is live. Building a lab closes the previous
one of the same class (a re-run cell), and ``close()`` frees what a lab built: its
figure, its observers and every widget (controls, readout, boxes, the ipympl canvas).
A control set from code to a value the lab cannot use (NaN, None, text) raises a
ValueError that names the control.
"""

import base64
import functools
import html
import io
import math
import numbers
import re
import weakref
from operator import attrgetter

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.text import Text

from ._keyframes import Keyframes, sends_diff_images

# One colour per loss in every figure and lab of every notebook.
LOSS_COLORS = {"quadratic": "tab:red", "cross_entropy": "tab:blue",
               "softmax_cross_entropy": "tab:green"}


class Lab:
    figsize = (9.0, 3.4)
    title = ""
    retrains = False  # True for labs that retrain on every change (budget 500 ms, else 50 ms)
    moving = ()  # artists a slider moves, drawn over a saved background (see above)

    # The live lab of each class (weakly held: a lab lives as long as its widgets do).
    _live = weakref.WeakValueDictionary()

    def __init__(self, **initial):
        previous = Lab._live.get(type(self))
        if previous is not None:
            previous.close()  # a re-run cell: free the old lab before building the new one
        Lab._live[type(self)] = self
        self._closed = False
        try:
            self._build(initial)
        except BaseException:
            self.close()  # a failed build (a bad initial value) leaves nothing behind
            raise

    def _build(self, initial):
        self.controls = self.controls_()
        for name, control in self.controls.items():
            _guard(control, type(self).__name__, name)
        unknown = set(initial) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this lab has "
                             f"{sorted(self.controls)}")
        for name, value in initial.items():
            self.controls[name].value = value  # checked by the guard: a ValueError if bad
        self.readout = widgets.HTML()
        with plt.ioff():  # under ipympl, do not display the figure on creation
            self.fig = plt.figure(figsize=self.figsize)
        canvas = self.fig.canvas
        for attr, value in (("header_visible", False), ("footer_visible", False),
                            ("toolbar_visible", False), ("resizable", False)):
            if hasattr(canvas, attr):
                setattr(canvas, attr, value)
        # A full image after a burst of diff images (see _keyframes): the browser may
        # drop a diff that a newer one replaced before it loaded.
        self._keyframes = Keyframes(canvas) if sends_diff_images(canvas) else None
        # For blitting: (renderer, axes limits, the figure without the blitted layers).
        self._background = None
        self._layers = []  # what a blit draws over the background, in order
        self.build(self.fig)
        if self.moving and hasattr(canvas, "copy_from_bbox"):
            self._layers = self._blitted_layers()
            for artist in self._layers:
                artist.set_animated(True)  # left out of full renders; see _on_full_render
            self._draw_connection = canvas.mpl_connect("draw_event", self._on_full_render)
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
        self.note = None
        if needs_widget_backend(canvas, matplotlib.get_backend()):
            self.note = widgets.HTML(NO_WIDGET_BACKEND)
            self.note.add_class("lab-note")
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
        if self._closed:
            return
        try:
            self.update()
        except Exception:
            # The lab cannot show this value (a run that diverged, say): the control
            # goes back, so that figure, readout and sliders still agree.
            self._set_controls({change["owner"]._lab_control: change["old"]})
            self.update()
            raise

    def update(self):
        """Recompute from the controls and redraw the one figure in place: exactly one
        render (or one blit) per change."""
        self.draw(**self.values())
        canvas = self.fig.canvas
        renderer, limits, background = self._background or (None, None, None)
        # get_renderer() is the saved one only while the canvas's size and dpi are the same.
        if (renderer is None or renderer is not canvas.get_renderer()
                or limits != self._limits()):
            # No full render at this size and these limits: ask for one (it saves the
            # background anew). Agg renders at once; ipympl asks the browser, which
            # requests the render (one, however often it is asked before it comes).
            canvas.draw_idle()
        else:
            canvas.restore_region(background)
            for artist in self._layers:
                artist.draw(renderer)
            canvas.blit(self.fig.bbox)  # ipympl sends the changed pixels to the browser
        self._mark_drawn()

    def _mark_drawn(self):
        """Tell pyplot the figure shows its current state. Without this, under
        ``%matplotlib widget`` the ``post_execute`` event that follows every message
        from the front end finds the figure stale (``draw`` set limits, texts, a norm:
        to the same values, or only on blitted artists) and renders it again in full,
        a render whose pixels the browser already has. (A change ``update`` did not
        show is impossible: every artist ``draw`` changes is blitted, or the limits
        changed and a full render was asked for.)"""
        for ax in self.fig.axes:
            ax.stale = False
        self.fig.stale = False

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
        """Set several controls at once with a single redraw (used by presets).

        Every value is checked before any control changes (a ValueError names the
        control and what it takes); should the redraw itself fail, the controls go
        back to where they were and the lab is redrawn there: figure, readout and
        sliders always agree."""
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} was closed (a newer one "
                               f"replaced it, or close() was called); build a new one")
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this lab has "
                             f"{sorted(self.controls)}")
        values = {name: self.controls[name]._check_value(value)
                  for name, value in values.items()}
        before = self.values()
        try:
            self._set_controls(values)
            self.update()
        except Exception:
            self._set_controls(before)
            self.update()
            raise

    def _set_controls(self, values):
        """Set control values without a redraw per control."""
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")

    def _layout(self):
        sliders = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, 1fr)"),
        )
        children = [sliders]
        if isinstance(self.fig.canvas, widgets.DOMWidget):  # ipympl
            children.append(self.fig.canvas)
        if self.note is not None:
            children.append(self.note)
        children.append(self.readout)
        box = widgets.VBox(children)
        box.add_class("lecture-mlp-lab")
        box.add_class(f"lab-{type(self).__name__}")
        return box

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget where a kernel is, a PNG of the current state where not."""
        if self._closed:
            return {"text/plain": f"<{type(self).__name__}: closed>"}
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
        """Free what this lab built: its observers, every widget (controls, readout,
        boxes, the ipympl canvas), its draw callback and its figure. Building a new lab
        of the same class calls this for the old one; calling it again does nothing.

        A closed lab keeps no pixel buffers: IPython's output history (``Out``) may
        keep the object itself alive."""
        if self._closed:
            return
        self._closed = True
        if Lab._live.get(type(self)) is self:
            del Lab._live[type(self)]
        controls = getattr(self, "controls", {})
        for control in controls.values():
            try:
                control.unobserve(self._on_change, names="value")
            except ValueError:  # a build that failed before observing
                pass
        if getattr(self, "_keyframes", None) is not None:
            self._keyframes.close()
            self._keyframes = None
        fig = getattr(self, "fig", None)
        roots = [*controls.values(), getattr(self, "readout", None),
                 getattr(self, "note", None), getattr(self, "widget", None)]
        if fig is not None:
            roots += [fig.canvas, getattr(fig.canvas.manager, "toolbar", None)]
            if getattr(self, "_draw_connection", None) is not None:
                fig.canvas.mpl_disconnect(self._draw_connection)
            plt.close(fig)
        for widget in _widget_tree(roots):
            widget.close()
        self._background, self._layers = None, []
        if fig is not None:
            FigureCanvasBase(fig)  # drops the old canvas and its pixel buffers
            fig.clear()  # and its axes, with every artist in them
        # The lab's own references to artists and data (a subclass's ``self.line``, a
        # grid of runs) go too: IPython's ``Out`` may keep a closed lab for the whole
        # session, and it must then hold no more than its closed widgets and empty figure.
        for name in list(vars(self)):
            if name not in _KEPT_AFTER_CLOSE:
                delattr(self, name)


# What a closed lab keeps: enough to say what it was and that it is closed.
_KEPT_AFTER_CLOSE = {"_closed", "fig", "controls", "readout", "widget", "note"}

NO_WIDGET_BACKEND = (
    "<b>The sliders need <code>%matplotlib widget</code></b>: this figure will not "
    "follow them. Run <code>%matplotlib widget</code> in a cell (the notebook's first "
    "code cell does), then run this cell again.")

# Backends that draw to files only: tests and scripts, no reader to tell.
FILE_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def needs_widget_backend(canvas, backend):
    """True where a lab's figure cannot follow its sliders: matplotlib's ``backend``
    (its name, as ``matplotlib.get_backend()`` gives it) is neither ipympl (whose
    canvas is a widget) nor one that only writes files. In a kernel without
    ``%matplotlib widget`` that is the inline backend
    (``module://matplotlib_inline.backend_inline``), which shows a figure once, as a
    picture."""
    if isinstance(canvas, widgets.DOMWidget):
        return False
    return backend.lower() not in FILE_BACKENDS


def _widget_tree(roots):
    """Every widget reachable from ``roots`` through synced traits (children, layout,
    style, an ipympl canvas's toolbar), each once."""
    found, todo = {}, list(roots)
    while todo:
        widget = todo.pop()
        if not isinstance(widget, widgets.Widget) or id(widget) in found:
            continue
        found[id(widget)] = widget
        for name in widget.keys:
            value = getattr(widget, name, None)
            todo += value if isinstance(value, (list, tuple)) else [value]
    return list(found.values())


# --- control values
_GUARDED = {}


def _guard(control, lab, name):
    """Check every value set on ``control`` from code (``control.value = v``) with
    ``check_value``: a ValueError naming the control, before traitlets would cast or
    reject it. As traitlets' own ``add_traits`` does, the control's class becomes a
    subclass of the same name; values from the browser (``set_state``) are not
    checked, as sliders send only values they can hold."""
    cls = type(control)
    if cls not in _GUARDED.values():
        if cls not in _GUARDED:
            def __setattr__(self, attr, value):
                if attr == "value":
                    value = self._check_value(value)
                super(guarded, self).__setattr__(attr, value)

            guarded = type(cls.__name__, (cls,), {"__module__": cls.__module__,
                                                  "__qualname__": cls.__qualname__,
                                                  "__setattr__": __setattr__})
            _GUARDED[cls] = guarded
        control.__class__ = _GUARDED[cls]
    control._check_value = functools.partial(check_value, control, f"{lab} control {name!r}")
    control._lab_control = name


def check_value(control, what, value):
    """``value`` if ``control`` can hold it and a lab can use it; else a ValueError
    saying what the control takes. Numeric sliders take finite real numbers (whole
    ones for an IntSlider; out-of-range values are clamped by the slider, as a drag
    would be), checkboxes True or False, choices one of their options."""
    options = getattr(control, "_options_values", None)
    if options is not None:
        if not any(_same(value, option) for option in options):
            raise ValueError(f"{what} takes one of {list(options)}; got {value!r}")
        return value
    current = control.value
    if isinstance(current, bool):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{what} takes True or False; got {value!r}")
        return bool(value)
    if isinstance(current, numbers.Real) and hasattr(control, "min"):
        lo, hi = control.min, control.max
        if hasattr(control, "base"):  # a log slider: min and max are exponents
            lo, hi = control.base ** lo, control.base ** hi
        takes = (f"{what} takes a {'whole ' if isinstance(current, int) else ''}"
                 f"number from {lo:g} to {hi:g}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise ValueError(f"{takes}; got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{takes}; got {value!r}")
        if isinstance(current, int):
            if value != int(value):
                raise ValueError(f"{takes}; got {value!r}")
            value = int(value)
    return value


def _same(value, option):
    """``value`` is ``option`` (True is not 1 here, and NaN is nothing)."""
    try:
        return (isinstance(value, bool) == isinstance(option, bool)) and bool(value == option)
    except (TypeError, ValueError):
        return False


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
