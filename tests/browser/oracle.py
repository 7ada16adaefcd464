"""What the package says a lab's readouts are for the controls the page shows.

The browser shows a lab from a kernel; this module builds the same lab class here
(Agg backend, no kernel), sets the control values the page holds, and returns its
readout table. Readouts are a deterministic function of the controls, so the two
must agree.
"""

import html.parser
import importlib
import pkgutil

import lecture_mlp.labs
from lecture_mlp.labs._base import Lab


def lab_classes():
    """Every Lab subclass in lecture_mlp.labs' submodules: class name -> [classes]
    (two modules may use the same name; the saved output's title tells them apart)."""
    found = {}
    for info in pkgutil.iter_modules(lecture_mlp.labs.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"lecture_mlp.labs.{info.name}")
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, Lab) and obj is not Lab
                    and obj.__module__ == module.__name__):
                found.setdefault(name, []).append(obj)
    return found


class _Cells(html.parser.HTMLParser):
    """Collects <td class='lab-value' data-name=...> texts."""

    def __init__(self):
        super().__init__()
        self.values, self._name = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "lab-value" in (attrs.get("class") or "").split():
            self._name = attrs.get("data-name")
            self.values[self._name] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._name = None

    def handle_data(self, data):
        if self._name is not None:
            self.values[self._name] += data


def readout_values(readout_html):
    """label -> text of each ``td.lab-value`` cell, whitespace collapsed."""
    parser = _Cells()
    parser.feed(readout_html)
    return {name: " ".join(text.split()) for name, text in parser.values.items()}


def page_value(control, state):
    """The Python value of one control from its front-end widget model (see
    lab_page.lab_models); None when it holds no value (a Button).
    Selection widgets sync an index, not the value."""
    if state["index"] is not None and hasattr(control, "_options_values"):
        index = state["index"]
        if isinstance(index, list):  # a SelectionRangeSlider or SelectMultiple
            return tuple(control._options_values[i] for i in index)
        return control._options_values[index]
    value = state["value"]
    if isinstance(value, list):  # range sliders
        return tuple(value)
    return value


class Oracle:
    """In-process labs, one per class, reused across the checks of a test."""

    def __init__(self):
        self.classes = lab_classes()
        self._labs = {}

    def resolve(self, name, title=None):
        """The Lab class a page's ``lab-<name>`` box shows (``title`` from the saved
        output ``<name: title>`` when two modules define the same name)."""
        candidates = self.classes.get(name, [])
        if title is not None and len(candidates) > 1:
            candidates = [c for c in candidates if c.title == title] or candidates
        if len(candidates) != 1:
            where = [f"{c.__module__}.{c.__name__}" for c in candidates]
            raise LookupError(f"cannot tell which Lab class {name!r} is: {where or 'none'}")
        return candidates[0]

    def lab(self, cls):
        if cls not in self._labs:
            lab = cls()
            # Only the readouts are compared here: skip the Agg render of each set().
            lab.fig.canvas.draw_idle = lambda *args, **kwargs: None
            self._labs[cls] = lab
        return self._labs[cls]

    def values(self, cls, states):
        """Control values from the page's widget models (lab_page.lab_models)."""
        values = {}
        for name, control in self.lab(cls).controls.items():
            if name not in states:
                raise AssertionError(f"{cls.__name__}: control {name!r} is not on the page")
            value = page_value(control, states[name])
            if value is not None:
                values[name] = value
        return values

    def readouts(self, cls, values):
        """The lab's readout cells (label -> text) after ``lab.set(**values)``."""
        lab = self.lab(cls)
        lab.set(**values)
        return readout_values(lab.readout.value)

    def close(self):
        for lab in self._labs.values():
            lab.close()
        self._labs.clear()
