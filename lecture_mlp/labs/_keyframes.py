"""A full image after a burst of diff images, so that the browser's picture is whole.

ipympl (through matplotlib's web canvas) sends a figure's changes as *diff* images:
only the pixels that changed since the image sent before, drawn by the browser over
the picture it has. The browser loads each image by setting an ``<img>``'s ``src``;
when a newer image arrives before the older one has loaded, the older one is never
drawn, and every diff after it is drawn over a picture that lacks it. Its pixels stay
stale until they change again (matplotlib issue #19116). A quick drag across a slider
on a busy machine does exactly that: the figure at rest then differs from the one the
kernel drew for the final value.

The remedy here: once images have come close together (within ``BURST_S`` of each
other, so that one may have cut off the one before), a *full* image follows as soon as
the figure has been quiet for ``KEYFRAME_AFTER_S``. It repaints every pixel from the
canvas's buffer as it is (no new render). An image sent on its own (a key press now
and then) cannot be dropped, since nothing replaces it, and is never followed.

The full image is sent from the kernel's event loop, between messages. Where no event
loop runs (a script, the tests' Agg canvases, a simulated kernel), nothing is sent:
nobody is loading images there.
"""

import asyncio
import time

BURST_S = 1.0  # a diff image sent this soon after the one before may have cut it off
KEYFRAME_AFTER_S = 0.3  # quiet time before the full image that repairs a burst


def sends_diff_images(canvas):
    """True for canvases that send diff images to a browser (ipympl's, nbagg's)."""
    return hasattr(canvas, "get_diff_image") and hasattr(canvas, "_force_full")


class Keyframes:
    """Watches one canvas's images and sends a full one after a burst (see above).
    ``close()`` cancels a full image still to come and unhooks the canvas."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.last_sent = None  # time.monotonic() of the last image sent
        self.pending = None  # the scheduled full image (an asyncio TimerHandle)
        self._original = canvas.get_diff_image
        canvas.get_diff_image = self._get_diff_image  # refresh_all calls it per image

    def _get_diff_image(self):
        png = self._original()
        if png is None:  # nothing new to send
            return None
        now = time.monotonic()
        if self.canvas._current_image_mode == "full":
            self._cancel()  # this image repaints everything already
        elif self.last_sent is not None and now - self.last_sent < BURST_S:
            self._schedule()
        self.last_sent = now
        return png

    def _schedule(self):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: no browser is loading these images
        self._cancel()
        self.pending = loop.call_later(KEYFRAME_AFTER_S, self.send_full)

    def _cancel(self):
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def send_full(self):
        """Send the canvas's whole current picture as a full image."""
        self.pending = None
        canvas = self.canvas
        canvas._force_full = True
        canvas._png_is_old = True
        canvas.manager.refresh_all()

    def close(self):
        self._cancel()
        if self.canvas.__dict__.get("get_diff_image") == self._get_diff_image:
            del self.canvas.get_diff_image
