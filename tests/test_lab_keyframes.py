"""After a burst of diff images a full one follows, and it repairs a dropped diff.

ipympl sends a lab's changes as diff images, and the browser drops one that a newer
image replaces before it has loaded (lecture_mlp/labs/_keyframes.py). Played here with
ipympl's real canvas in a real IPython shell under ``%matplotlib widget`` and an
asyncio event loop, as in a kernel; the browser is a model of ipympl's front end: a
full image replaces the picture, a diff is drawn over it (its unchanged pixels are
transparent). In a separate process, since ``%matplotlib widget`` changes pyplot's
backend for the whole process.
"""

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

PLAY = r"""
import asyncio, io, json, sys
import numpy as np
from PIL import Image
from benchmarks.lab_steps import widget_kernel
widget_kernel()
from lecture_mlp.labs import _keyframes
from lecture_mlp.labs.slowdown import ThetaLab

_keyframes.BURST_S = float(sys.argv[1])
QUIET = _keyframes.KEYFRAME_AFTER_S + 0.4


def browser(images, dropped=()):
    # The picture ipympl's front end shows after loading every image not dropped.
    picture = None
    for i, (mode, png) in enumerate(images):
        if i in dropped:
            continue
        rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).copy()
        if mode == "full" or picture is None:
            picture = rgba
        else:
            drawn = rgba[..., 3] > 0  # a diff's unchanged pixels are transparent
            picture[drawn] = rgba[drawn]
    return picture


async def play():
    lab = ThetaLab()
    canvas = lab.fig.canvas
    images = []
    canvas.send_binary = lambda png: images.append((canvas._current_image_mode, png))
    canvas._handle_message(canvas, {"type": "initialized"}, [])  # the front end is there
    canvas.handle_draw({"type": "draw"})
    await asyncio.sleep(_keyframes.BURST_S + 0.2)  # so that the next image comes alone
    theta = lab.controls["theta"]
    result = {}

    start = len(images)
    theta.value = theta.value + theta.step  # one key press, alone
    await asyncio.sleep(QUIET)
    result["alone"] = [mode for mode, _ in images[start:]]

    start = len(images)
    for _ in range(4):  # a drag: four values in quick succession
        theta.value = theta.value + 10 * theta.step
        await asyncio.sleep(0.05)
    burst = len(images) - start
    await asyncio.sleep(QUIET)
    result["burst"] = [mode for mode, _ in images[start:]]
    result["burst_images"] = burst
    kernel = np.asarray(canvas.get_renderer().buffer_rgba())
    second = start + 1  # the burst's second image, cut off by the third
    result["whole_without_drop"] = bool(np.array_equal(browser(images), kernel))
    result["whole_after_drop"] = bool(np.array_equal(browser(images, {second}), kernel))
    before_full = images[:start + burst]
    result["whole_after_drop_before_full"] = bool(
        np.array_equal(browser(before_full, {second}), kernel))

    start = len(images)
    theta.value = theta.value - theta.step
    theta.value = theta.value - theta.step  # a burst, then the lab is closed at once
    lab.close()
    await asyncio.sleep(QUIET)
    result["after_close"] = [mode for mode, _ in images[start:]]
    print(json.dumps(result))


asyncio.run(play())
"""


def play(burst_s):
    out = subprocess.run([sys.executable, "-c", PLAY, str(burst_s)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def played():
    return play(1.0)  # the package's BURST_S


def test_a_lone_image_is_not_followed(played):
    assert played["alone"] == ["diff"]


def test_a_burst_of_diffs_is_followed_by_one_full_image(played):
    modes = played["burst"]
    assert played["burst_images"] >= 3, modes
    assert modes[:played["burst_images"]] == ["diff"] * played["burst_images"]
    assert modes[played["burst_images"]:] == ["full"]


def test_the_full_image_repairs_a_dropped_diff(played):
    assert played["whole_without_drop"]
    # Dropping one diff leaves stale pixels (so this check can fail) until the full image.
    assert not played["whole_after_drop_before_full"]
    assert played["whole_after_drop"]


def test_closing_the_lab_cancels_the_full_image_to_come(played):
    assert "full" not in played["after_close"]


def test_without_keyframes_a_dropped_diff_stays():
    """The same play with the burst window at 0 (no full image ever follows): the
    browser's picture keeps the stale pixels. This is the bug the full image mends."""
    result = play(0.0)
    assert "full" not in result["burst"]
    assert result["whole_without_drop"] and not result["whole_after_drop"]
