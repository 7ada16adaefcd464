"""Driving a notebook and its labs in JupyterLab the way a reader does.

Selectors are JupyterLab 4's and ipywidgets 8's; a lab is the box with class
``lecture-mlp-lab lab-<ClassName>`` made by ``lecture_mlp.labs._base.Lab``.
"""

KERNEL_IDLE = "ipykernel) | Idle"  # the status bar's kernel item once it is ready
CANVAS = ".jupyter-matplotlib-figure canvas"  # the first is the image, the second the overlay

# Runs in every page before JupyterLab: count each canvas's draws with their time,
# so "new pixels" has a timestamp on the browser's own clock.
DRAW_CLOCK = """
(() => {
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const result = draw.apply(this, args);
    const canvas = this.canvas;
    canvas.__draws = (canvas.__draws || 0) + 1;
    canvas.__drawnAt = performance.now();
    return result;
  };
  document.addEventListener('keydown', () => { window.__keyAt = performance.now(); }, true);
  document.addEventListener('mouseup', () => { window.__mouseUpAt = performance.now(); }, true);
  // While a canvas records (c.__frames is an array), each draw on it is logged with its
  // time and a hash of its pixels, so that a draw that changed nothing can be told apart.
  const record = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const result = record.apply(this, args);
    const c = this.canvas;
    if (Array.isArray(c.__frames)) c.__frames.push([performance.now(), pixelHash(c)]);
    return result;
  };
})();

// On window: an init script's own top-level names are not globals of the page.
window.pixelHash = function (c) {
  const data = new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height)
                               .data.buffer);
  let h = 2166136261;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619);
  return h >>> 0;
};
"""


def playwright_error(name="Error"):
    # Imported when needed: this module loads (and the suite reports a missing
    # playwright clearly) where playwright is not installed.
    import playwright.sync_api

    return getattr(playwright.sync_api, name)


class App:
    """One JupyterLab page for the session: loading JupyterLab costs seconds, opening
    a notebook in it well under one. After a failed test the page is dropped and
    the next test gets a fresh one (nothing a failure left open can leak)."""

    def __init__(self, browser, server, *, viewport, default_timeout=30_000):
        self.browser, self.server = browser, server
        self.viewport, self.default_timeout = viewport, default_timeout
        self.context = self._page = None
        self.loads = 0

    def page(self):
        if self._page is None:
            self.context = self.browser.new_context(viewport=self.viewport)
            self.context.add_init_script(DRAW_CLOCK)
            self.context.set_default_timeout(self.default_timeout)
            self._page = self.context.new_page()
            self.loads += 1
            open_app(self._page, self.server.app_url(f"browser-tests-{self.loads}"))
        return self._page

    def done(self, ok):
        """After a test: close its notebook, or start over if the test failed."""
        if self._page is None:
            return
        if ok:
            try:
                close_notebook(self._page)
                return
            except playwright_error():
                pass
        self.close()

    def close(self):
        if self.context is not None:
            self.context.close()
        self.context = self._page = None
        self.server.shutdown_kernels()


def menu(page, top, command):
    """Open a main-menu item (``File``, ``Edit``, ``Run``) and click ``command``'s entry."""
    page.locator(".lm-MenuBar-item", has_text=top).first.click()
    page.locator(f".lm-Menu [data-command='{command}']").click()


def open_app(page, url, timeout=90_000):
    """Load JupyterLab and wait until its menus work."""
    page.goto(url)
    page.locator(".lm-MenuBar-item", has_text="File").first.wait_for(timeout=timeout)
    page.locator("#jp-main-statusbar").wait_for(timeout=timeout)


def open_notebook(page, path, timeout=90_000):
    """File > Open from Path..., then wait for the cells and an idle kernel."""
    menu(page, "File", "filebrowser:open-path")
    field = page.locator(".jp-Dialog input")
    field.fill(path)
    field.press("Enter")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout)
    page.locator("#jp-main-statusbar").get_by_text(KERNEL_IDLE).wait_for(timeout=timeout)


def close_notebook(page, timeout=30_000):
    """File > Close and Shut Down Notebook (its kernel stops; nothing is saved)."""
    menu(page, "File", "filemenu:close-and-cleanup")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-NotebookPanel").wait_for(state="detached", timeout=timeout)


def cells(page):
    """For each cell: kind, input prompt text and outputs (mime type, class, text)."""
    return page.evaluate("""() =>
      [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
        code: cell.classList.contains('jp-CodeCell'),
        prompt: cell.querySelector('.jp-InputPrompt')?.textContent.trim() ?? '',
        outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({
          mime: o.getAttribute('data-mime-type'),
          text: o.textContent.slice(0, 2000),
        })),
      }))""")


def run_all(page, timeout, retry_after=15_000):
    """Clear every output (so old numbers and dead widget views go), Run All, and
    wait until the kernel is idle with no cell queued or running.

    Run All stops at an error, leaving later cells unnumbered; the caller checks the
    prompts. Run All issued while a kernel is still starting can do nothing; if no
    cell has started after ``retry_after`` ms it is issued once more.
    """
    menu(page, "Edit", "editmenu:clear-all")
    page.wait_for_function("""() => [...document.querySelectorAll(
        '.jp-Notebook .jp-CodeCell .jp-InputPrompt')].every(p => !/\\d/.test(p.textContent))""")
    started = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
        .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
    menu(page, "Run", "runmenu:run-all")
    try:
        page.wait_for_function(started, timeout=retry_after, polling=100)
    except playwright_error("TimeoutError"):
        menu(page, "Run", "runmenu:run-all")
    # Done: the first code cell is numbered, none is queued or running ([*]) and the
    # kernel reports idle.
    page.wait_for_function("""(idle) => {
        const prompts = [...document.querySelectorAll(
            '.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
        const status = document.querySelector('#jp-main-statusbar')?.textContent ?? '';
        return prompts.length > 0 && /\\[\\d+\\]/.test(prompts[0])
            && !prompts.some(p => p.includes('*')) && status.includes(idle);
    }""", arg=KERNEL_IDLE, timeout=timeout, polling=100)


# --- labs
def labs(page):
    """(class name, locator) of each lab on the page, in page order."""
    names = page.evaluate("""() => [...document.querySelectorAll('.lecture-mlp-lab')].map(
        el => [...el.classList].find(c => c.startsWith('lab-')).slice(4))""")
    boxes = page.locator(".lecture-mlp-lab")
    return [(name, boxes.nth(i)) for i, name in enumerate(names)]


def canvas(lab):
    return lab.locator(CANVAS).first


def image(lab):
    """The lab figure's pixels as a PNG data URL."""
    return canvas(lab).evaluate("c => c.toDataURL()")


def blank(lab):
    """What an empty canvas of the same size encodes to."""
    return canvas(lab).evaluate("""c => { const e = document.createElement('canvas');
        e.width = c.width; e.height = c.height; return e.toDataURL(); }""")


def wait_drawn(lab, timeout):
    """Wait for the figure's first image (it arrives after the cell has run)."""
    canvas(lab).wait_for(timeout=timeout)
    canvas(lab).evaluate("""(c, timeout) => new Promise((ok, fail) => {
        const t0 = performance.now();
        (function poll() {
          if (c.__draws > 0 && c.width > 0) return ok();
          if (performance.now() - t0 > timeout) return fail(new Error('figure never drawn'));
          setTimeout(poll, 50);
        })();
    })""", timeout)


def wait_not_blank(lab, timeout):
    """Wait until the figure shows something; False on timeout. On a busy machine
    the first draw can be an empty canvas, and the figure follows."""
    return wait_new_image(lab, blank(lab), timeout)


def wait_new_image(lab, before, timeout):
    """Wait until the figure's pixels differ from ``before``; False on timeout.

    Encodes the canvas only after it has been drawn on again, so polling costs
    nothing that would slow the redraw it waits for.
    """
    return canvas(lab).evaluate("""(c, [before, timeout]) => new Promise(ok => {
        const t0 = performance.now();
        let seen = -1;
        (function poll() {
          if (c.__draws !== seen) {
            seen = c.__draws;
            if (c.toDataURL() !== before) return ok(true);
          }
          if (performance.now() - t0 > timeout) return ok(false);
          setTimeout(poll, 10);
        })();
    })""", [before, timeout])


def settle(lab, quiet_ms, timeout_ms):
    """Wait until the figure has not been drawn on for ``quiet_ms`` (counted from the
    call or its last draw, whichever is later) with the status bar saying the kernel
    is idle; False if that has not happened within ``timeout_ms``."""
    return canvas(lab).evaluate("""(c, [quiet, timeout, idle]) => new Promise(ok => {
        const t0 = performance.now();
        (function poll() {
          const now = performance.now();
          const status = document.querySelector('#jp-main-statusbar')?.textContent ?? '';
          if (status.includes(idle) && now - Math.max(t0, c.__drawnAt || 0) > quiet)
            return ok(true);
          if (now - t0 > timeout) return ok(false);
          setTimeout(poll, 20);
        })();
    })""", [quiet_ms, timeout_ms, KERNEL_IDLE])


def last_latency(lab):
    """Milliseconds from the last key press to the figure's last draw."""
    return canvas(lab).evaluate("c => c.__drawnAt - window.__keyAt")


def readouts(lab):
    """The lab's readout table: label -> shown value."""
    return lab.evaluate("""el => Object.fromEntries([...el.querySelectorAll('td.lab-value')]
        .map(td => [td.dataset.name, td.textContent.trim()]))""")


# The front end's widget models hold exactly what the page sends the kernel; the DOM
# shows them rounded (a readout's format, aria-valuenow to 0.1) or moved (a handle
# sits on its step grid, so a default of 2.0 on a log slider stepped by 0.05 in the
# exponent shows at 10**0.30000000000000027). JupyterLab is served with
# expose_app_in_browser so the test can reach the notebook's widget manager.
LAB_MODELS = """async () => {
  const mime = 'application/vnd.jupyter.widget-view+json';
  const panel = window.jupyterapp.shell.currentWidget;
  const rendermime = panel.content.rendermime;
  const renderer = rendermime.getFactory(mime).createRenderer(
      {mimeType: mime, sanitizer: rendermime.sanitizer});
  const manager = await renderer._manager.promise;
  renderer.dispose();
  const ids = [];  // displayed widgets, in page order
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    for (let i = 0; i < cell.outputs.length; i++) {
      const data = cell.outputs.get(i).toJSON().data;
      if (data && data[mime]) ids.push(data[mime].model_id);
    }
  }
  const labs = [];
  for (const id of ids) {
    const box = await manager.get_model(id);
    const classes = box.get('_dom_classes') || [];
    if (!classes.includes('lecture-mlp-lab')) continue;
    const controls = {};
    const walk = model => {
      const name = (model.get('_dom_classes') || []).find(c => c.startsWith('control-'));
      if (name) controls[name.slice(8)] = {model: model.get('_model_name'),
          value: model.get('value') ?? null, index: model.get('index') ?? null,
          base: model.get('base') ?? null};
      for (const child of model.get('children') || []) walk(child);
    };
    walk(box);
    labs.push({name: classes.find(c => c.startsWith('lab-')).slice(4), controls});
  }
  return labs;
}"""

# Where each slider's handle is, as the value ipywidgets sends for it: aria-valuetext
# is the handle's exact position (String of a number), a log slider's the exponent.
HANDLE_VALUES = """(el, bases) => {
  const out = {};
  for (const [name, base] of Object.entries(bases)) {
    const h = el.querySelector(`.control-${name} .noUi-handle[role=slider]`);
    if (!h) continue;
    const at = Number(h.getAttribute('aria-valuetext'));
    out[name] = base === null ? at : Math.pow(base, at);
  }
  return out;
}"""


def control_names(lab):
    """The controls the lab's box shows (elements with a ``control-<name>`` class)."""
    return lab.evaluate("""el => [...el.querySelectorAll('*')].flatMap(e => [...e.classList]
        .filter(k => k.startsWith('control-')).map(k => k.slice(8)))""")


def lab_models(page):
    """Each displayed lab's controls as its widget models hold them, in page order:
    [{name, controls: {control: {model, value, index, base}}}]."""
    return page.evaluate(LAB_MODELS)


def handle_values(lab, controls):
    """control -> the value the page sends for its handle's position (sliders only);
    ``controls`` as in lab_models."""
    bases = {name: c["base"] for name, c in controls.items() if "Slider" in c["model"]}
    return lab.evaluate(HANDLE_VALUES, bases)


def handle(lab, name):
    return lab.locator(f".control-{name} .noUi-handle[role=slider]").first


def press(lab, name, key):
    """Focus a slider's handle and press an arrow key on it, as a reader does."""
    h = handle(lab, name)
    h.focus()  # after typing in a readout, focus stays there
    h.press(key)


def type_value(lab, name, text):
    """Click a slider's readout, replace its text and press Enter."""
    readout = lab.locator(f".control-{name} .widget-readout").first
    readout.click()
    readout.press("Control+A")
    readout.type(text)
    readout.press("Enter")


# --- a mouse drag
def drag(lab, name, moves=30, duration_ms=1000):
    """Drag a slider's handle with the mouse from one end of its track to the other
    (towards the end farther from the handle): ``moves`` moves in about
    ``duration_ms``, then release. The canvas records its draws from the press on
    (see ``frames``)."""
    page = lab.page
    h = handle(lab, name)
    h.scroll_into_view_if_needed()
    track = lab.locator(f".control-{name} .noUi-target").first
    hb, tb = h.bounding_box(), track.bounding_box()
    x, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    left, right = tb["x"], tb["x"] + tb["width"]
    start, end = (left, right) if x < (left + right) / 2 else (right, left)
    canvas(lab).evaluate("c => { c.__frames = []; c.__frames0 = pixelHash(c); }")
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(moves):
        page.mouse.move(start + (end - start) * i / (moves - 1), y)
        page.wait_for_timeout(duration_ms / moves)
    page.mouse.up()


def frames(lab, quiet_ms, timeout_ms):
    """After ``drag``: wait until the canvas has been drawn at least once since the
    press (a slider that sends its value only on release draws only after it) and
    not again for ``quiet_ms``, with the status bar saying the kernel is idle (it is
    busy while it handles a slider change), at most ``timeout_ms``; stop recording and
    return (release time, hash before the drag, [(time, hash) of each draw], whether
    it fell quiet) on the browser's clock."""
    return canvas(lab).evaluate("""(c, [quiet, timeout, idle]) => new Promise(ok => {
        const t0 = performance.now();
        (function poll() {
          const last = c.__frames.length ? c.__frames[c.__frames.length - 1][0]
                                         : window.__mouseUpAt;
          const now = performance.now();
          const status = document.querySelector('#jp-main-statusbar')?.textContent ?? '';
          const calm = c.__frames.length > 0 && status.includes(idle)
                       && now - Math.max(last, window.__mouseUpAt) > quiet;
          if (calm || now - t0 > timeout) {
            const frames = c.__frames;
            c.__frames = undefined;
            return ok([window.__mouseUpAt, c.__frames0, frames, calm]);
          }
          setTimeout(poll, 20);
        })();
    })""", [quiet_ms, timeout_ms, KERNEL_IDLE])
