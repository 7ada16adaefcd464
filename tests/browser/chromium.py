"""Where the browser suites find Chromium, how they start it, and whether they may skip.

Shared by tests/test_browser.py (JupyterLab), tests/test_voila.py (the presenter) and
tests/test_site.py (the static site). Importing it imports no browser library.
"""

import os
import shutil

# Flags that keep headless Chromium off the network it cannot reach on these machines.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
ENABLE = ("install Chromium (apt-get install -y chromium) and the test extras "
          "(pip install -e '.[test]') to run them")
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chromium():
    """$BROWSER_CHROMIUM if set (only it), else Debian's /usr/bin/chromium or PATH's."""
    wanted = os.environ.get("BROWSER_CHROMIUM")
    for path in [wanted] if wanted else ["/usr/bin/chromium", shutil.which("chromium")]:
        if path and os.access(path, os.X_OK):
            return path
    return None


def missing():
    """Why the browser suites cannot run here, or None."""
    if chromium() is None:
        where = os.environ.get("BROWSER_CHROMIUM") or "/usr/bin/chromium or on PATH"
        return f"no Chromium at {where}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None
