"""One slider change, one render or one blit: counted through the path a kernel runs.

Under ``%matplotlib widget`` a kernel fires IPython's ``post_execute`` event after
every message from the front end, and pyplot then asks every *stale* figure to draw.
A lab that blitted (or already asked for a draw) and left its figure stale would be
rendered a second time, a full render whose pixels the browser already has. The
steps are played by ``benchmarks.lab_steps`` in a separate process (a real IPython
shell with ``%matplotlib widget``, ipympl's canvas, the front end's draw requests),
for every lab and every control."""

import json
import pathlib
import subprocess
import sys

import pytest

from benchmarks.labs import discover

ROOT = pathlib.Path(__file__).resolve().parents[1]

PLAY = """
import json
from benchmarks.lab_steps import measure, widget_kernel
from benchmarks.labs import discover
widget_kernel()
print(json.dumps({key: {name: [(repr(v), r, b) for v, _, r, b in per]
                        for name, per in measure(cls, 1 if cls.retrains else 2).items()}
                  for key, cls in discover().items()}))
"""


@pytest.fixture(scope="module")
def played():
    """{lab: {control: [(value, renders, blits) for each step]}}, for every lab (one
    process for all: each start imports IPython, ipympl and matplotlib)."""
    out = subprocess.run([sys.executable, "-c", PLAY], cwd=ROOT, capture_output=True,
                         text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize("key", list(discover()))
def test_every_change_renders_or_blits_exactly_once(key, played):
    steps = played[key]
    assert steps and all(steps.values()), f"controls with no step played: {steps}"
    wrong = {name: [(value, f"{renders} renders, {blits} blits")
                    for value, renders, blits in per if renders + blits != 1]
             for name, per in steps.items()}
    wrong = {name: per for name, per in wrong.items() if per}
    assert not wrong, f"changes that did not cost exactly one render or blit: {wrong}"
