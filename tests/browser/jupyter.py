"""A throwaway JupyterLab server for the browser tests.

It serves a temporary copy of the notebooks on 127.0.0.1 with a random token and a
free port, with news, update checks, the extension manager and autosave turned off
(so it never calls out and never writes back), and it is stopped by its process
group id however the tests end.
"""

import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# Settings the server reads instead of the user's own (~/.jupyter/lab/user-settings).
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    # JupyterLab 4 keeps only the cells near the viewport in the page by default; the
    # suite reads every cell's prompt and outputs, so the whole notebook is rendered.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def free_port():
    """A port nothing listens on now (the server is started with port_retries=0, so
    a race shows up as a clear start failure, not as a server on another port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """``jupyter lab`` on a copy of ``notebooks``; use as a context manager."""

    def __init__(self, notebooks, *, startup_timeout=60.0):
        self.source = pathlib.Path(notebooks)
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.tmp = None

    # --- lifetime
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="lecture-mlp-browser-"))
        self.root = self.tmp / "notebooks"
        shutil.copytree(self.source, self.root,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        settings = self.tmp / "user-settings"
        for plugin, values in SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        # The kernel must pick its backend from `%matplotlib widget`, not from ours.
        env.pop("MPLBACKEND", None)
        env.update(JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
                   JUPYTER_PLATFORM_DIRS="1")
        # Run this environment's jupyter so the kernel imports this checkout.
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}",
               f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
               "--LabApp.news_url=", "--ServerApp.open_browser=False",
               "--LabApp.expose_app_in_browser=True"]
        self.log = open(self.tmp / "server.log", "wb")  # closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env,
                                     start_new_session=True)  # own group: kill it whole
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n"
                                   + self.log_text())
            try:
                self.api("status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"jupyter lab not ready after {self.startup_timeout} s:\n"
                           + self.log_text())

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            # The server and every kernel it started share its process group.
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.proc is not None:
            self.proc.wait()
            # A kernel the server failed to stop is still in the group.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.tmp is not None:
            self.log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def log_text(self):
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")[-4000:]

    # --- REST
    def api(self, path, method="GET", timeout=5.0):
        req = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Stop every kernel (after a failed test: its notebook may still be open)."""
        for kernel in self.api("kernels"):
            try:
                self.api(f"kernels/{kernel['id']}", method="DELETE", timeout=10)
            except urllib.error.HTTPError:
                pass  # already gone

    def app_url(self, workspace):
        # A fresh, empty workspace: a saved one would reopen (and start kernels for)
        # whatever was open before.
        return f"{self.url}/lab/workspaces/{workspace}?reset&token={self.token}"
