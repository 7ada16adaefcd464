"""Driving a notebook and its labs in JupyterLab the way a reader does.

Selectors are JupyterLab 4's and ipywidgets 8's; a lab is the box with class
``lecture-mlp-lab lab-<ClassName>`` made by ``lecture_mlp.labs._base.Lab``.
"""

import time

KERNEL_IDLE = "ipykernel) | Idle"  # the status bar's kernel item once it is ready
HANDLE = ".widget-slider .noUi-handle[role=slider]"
READOUT = ".widget-slider .widget-readout"
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
})();
"""


def menu(page, top, command):
    """Open a main-menu item (``Run``, ``Edit``) and click the entry for ``command``."""
    page.locator(".lm-MenuBar-item", has_text=top).first.click()
    page.locator(f".lm-Menu [data-command='{command}']").click()


def open_notebook(page, url, timeout=90_000):
    page.goto(url)
    page.get_by_text(KERNEL_IDLE).wait_for(timeout=timeout)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout)


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


def run_all(page, timeout):
    """Clear every output (so old numbers and dead widget views go), Run All, and
    wait until the kernel is idle with no cell queued or running.

    Returns the seconds Run All took. Run All stops at an error, leaving later
    cells unnumbered; the caller checks the prompts.
    """
    menu(page, "Edit", "editmenu:clear-all")
    page.wait_for_function("""() => [...document.querySelectorAll(
        '.jp-Notebook .jp-CodeCell .jp-InputPrompt')].every(p => !/\\d/.test(p.textContent))""")
    start = time.perf_counter()
    menu(page, "Run", "runmenu:run-all")
    # The first code cell is numbered once the kernel has run it; then wait for the
    # queue to drain ([*]) and the kernel to report idle.
    page.wait_for_function("""(idle) => {
        const prompts = [...document.querySelectorAll(
            '.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
        const status = document.querySelector('#jp-main-statusbar')?.textContent ?? '';
        return prompts.length > 0 && /\\[\\d+\\]/.test(prompts[0])
            && !prompts.some(p => p.includes('*')) && status.includes(idle);
    }""", arg=KERNEL_IDLE, timeout=timeout, polling=100)
    return time.perf_counter() - start


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


def last_latency(lab):
    """Milliseconds from the last key press to the figure's last draw."""
    return canvas(lab).evaluate("c => c.__drawnAt - window.__keyAt")


def readouts(lab):
    """The lab's readout table: label -> shown value."""
    return lab.evaluate("""el => Object.fromEntries([...el.querySelectorAll('td.lab-value')]
        .map(td => [td.dataset.name, td.textContent.trim()]))""")


def control_states(lab):
    """What the page shows for each control (class ``control-<name>``), raw: the
    slider handles' aria values, readout texts, selected labels, checked states."""
    return lab.evaluate("""el => {
      const out = {};
      const controls = [...el.querySelectorAll('*')].filter(
          e => [...e.classList].some(k => k.startsWith('control-')));
      for (const c of controls) {
        const name = [...c.classList].find(k => k.startsWith('control-')).slice(8);
        const handles = [...c.querySelectorAll('.noUi-handle[role=slider]')];
        const select = c.querySelector('select');
        const active = c.querySelector('.widget-toggle-button.mod-active');
        const radio = c.querySelector('input[type=radio]:checked');
        const box = c.querySelector('input[type=checkbox]');
        const input = c.querySelector('input[type=number], input[type=text], textarea');
        out[name] = {
          handles: handles.map(h => h.getAttribute('aria-valuetext')),
          readout: c.querySelector('.widget-readout')?.textContent ?? null,
          select: select ? [...select.selectedOptions].map(o => o.textContent) : null,
          toggle: c.classList.contains('widget-toggle-button')
              ? c.classList.contains('mod-active') : null,
          active: active ? active.dataset.value : null,
          radio: radio ? radio.dataset.value : null,
          checkbox: box ? box.checked : null,
          input: input ? input.value : null,
        };
      }
      return out;
    }""")


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
