"""A class on one server: N students on a JupyterHub, as a course would run the notebooks.

    python -m benchmarks.classload --students N [N ...] [--browsers K] [--duration S]
    make classload N=20
    make bench    (python -m benchmarks.run --classload 1 5 20 40: the table in the README)

TEST SET-UP, NOT A DEPLOYMENT. It starts a JupyterHub on 127.0.0.1 only, with one class
password for every student (JupyterHub's shared-password authenticator; the password is
made up at random for each run), the simple local process spawner (every student's
server runs as the current user, in a temporary home of its own) and
configurable-http-proxy from the npm registry (``make classload`` installs it into
.venv/node). Never point students at it: a real hub needs real accounts, HTTPS and a
spawner that isolates users (see the README, "Teaching a class").

Single-user servers run with ``KernelManager.transport=ipc``: kernels talk over Unix
sockets, so the ports of 30 or more kernels cannot race the spawner's random ports.

N simulated students start at once. Each one, as JupyterLab does it:
1. logs in (the hub's login form), starts their server and waits for it (the hub's
   progress stream), opens JupyterLab (the OAuth handshake with the hub);
2. opens notebook 02 (a kernel session) and runs every code cell over the kernel's
   channels websocket (``execute_request`` messages, all sent at once as Run All does,
   in the v1 websocket protocol JupyterLab 4 speaks);
3. answers the widget messages the way JupyterLab's widget manager and ipympl's front
   end do (ipympl 0.10's MPLCanvasModel): every canvas model, when its ``comm_open``
   arrives, sends ``refresh``, ``send_image_mode`` and ``initialized`` (custom widget
   messages ``{"type": ...}``); on a ``draw`` event it asks for a draw (once, until the
   image comes); on a ``resize`` it sends ``refresh``; a ``{"type": "binary"}`` message
   with a buffer is a new image (the changed pixels, a PNG);
4. when every student has run the notebook, moves SingleNeuronLab's first slider (w₀)
   by one step every 2 s for ``--duration`` seconds: a ``comm_msg`` to the slider's
   widget comm, ``{"method": "update", "state": {"value": v}, "buffer_paths": []}``
   (ipywidgets 8, protocol 2.1.0), and times the wait for the lab canvas's next
   binary image: the time to new pixels.

``--browsers K`` adds K students driven by a real headless Chromium (playwright), who
do the same through JupyterLab's page (arrow key on the w₀ slider's handle; new pixels
= the canvas's data URL changes).

Reported: per student, RSS and PSS (``/proc/PID/smaps_rollup``) summed over their
single-user server and its kernel, measured at the end of the slider phase; the CPU
busy share of the whole machine over the slider phase (``/proc/stat``); p50/p95 time to
new pixels; p50 login → executed notebook. Every process the run starts carries an
environment variable with the run's id: at the end each one is stopped BY PID (the hub
first, which stops the servers and the proxy; then anything left, TERM then KILL) and
the run checks that none is left.
"""

import argparse
import asyncio
import concurrent.futures
import contextlib
import datetime
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = "02_learning_slowdown.ipynb"
LAB_CLASS = "SingleNeuronLab"
CHP = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
RUN_VARIABLE = "LECTURE_MLP_CLASSLOAD_RUN"  # every process of a run has it; how we find them
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"
STEP_S = 2.0  # a student moves the slider every 2 s


# --------------------------------------------------------------------------- processes
def _stat(pid):
    """(ppid, start time in clock ticks) of ``pid``, or None if it is gone."""
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19])


def _environ_has(pid, needle):
    try:
        return needle in pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def run_processes(run_id):
    """{pid: start time} of every live process of this run (found by its variable)."""
    needle = f"{RUN_VARIABLE}={run_id}".encode()
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and _environ_has(int(entry.name), needle):
            stat = _stat(int(entry.name))
            if stat is not None:
                found[int(entry.name)] = stat[1]
    return found


def children_map():
    """{ppid: [pid, ...]} of every process now."""
    kids = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                kids.setdefault(stat[0], []).append(int(entry.name))
    return kids


def descendants(pid, kids):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def memory_kb(pid):
    """{"rss": kB, "pss": kB} of ``pid`` from /proc/PID/smaps_rollup (0 if it is gone)."""
    found = {"rss": 0, "pss": 0}
    try:
        text = pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return found
    for key, name in (("Rss:", "rss"), ("Pss:", "pss")):
        m = re.search(rf"^{key}\s+(\d+) kB", text, re.M)
        if m:
            found[name] = int(m.group(1))
    return found


def cpu_times():
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    fields = [int(x) for x in pathlib.Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already in user
    return total - idle, total


def stop_pids(pids, *, term_wait=10.0):
    """TERM each still-living process of ``pids`` ({pid: start time}), then KILL what
    is left; a pid whose start time changed is another process and is left alone."""
    def alive(pid, start):
        stat = _stat(pid)
        return stat is not None and stat[1] == start and not _zombie(pid)

    for sig, wait in ((signal.SIGTERM, term_wait), (signal.SIGKILL, 5.0)):
        living = {p: s for p, s in pids.items() if alive(p, s)}
        for pid in living:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while living and time.monotonic() < deadline:
            time.sleep(0.1)
            living = {p: s for p, s in living.items() if alive(p, s)}
        if not living:
            return


def _zombie(pid):
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return text[text.rindex(")") + 2] == "Z"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the hub
HUB_CONFIG = """\
# Written by benchmarks/classload.py: a TEST hub on loopback, never for students.
import shutil
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.auth_token = {proxy_token!r}
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{tmp}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.concurrent_spawn_limit = 0  # the whole class logs in at once
c.JupyterHub.active_server_limit = 0
# One class password for everybody (JupyterHub >= 5): test set-up.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {password!r}
c.Authenticator.allow_all = True
# Local processes as the current user, each in a home of its own.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = [
    "--allow-root",
    "--KernelManager.transport=ipc",  # no TCP ports for kernels (they raced at N = 30)
    "--ServerApp.open_browser=False",
    "--LabApp.news_url=",
]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = {start_timeout}
c.Spawner.http_timeout = {start_timeout}
c.Spawner.environment = {environment!r}
# Kernels' ipc sockets live in the runtime directory: a short path (at most 107 bytes).
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: "{tmp}/r/" + spawner.user.name
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV"]


def copy_notebooks(spawner):
    home = "{tmp}/home/" + spawner.user.name
    shutil.copytree({notebooks!r}, home, dirs_exist_ok=True)


c.Spawner.pre_spawn_hook = copy_notebooks
"""


class Hub:
    """A JupyterHub on loopback in a temporary directory; use as a context manager.

    Every process it starts (hub, proxy, single-user servers, kernels) carries
    ``RUN_VARIABLE`` = this run's id; ``stop`` stops each of them by PID."""

    def __init__(self, *, start_timeout=600, log=print, keep_log=None):
        self.run_id = secrets.token_hex(8)
        self.password = secrets.token_urlsafe(12)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self.log = log
        self.proc = None
        self.tmp = None
        self.seen = {}  # pid -> start time of every process of the run seen so far
        self.keep_log = keep_log  # where to copy the hub's log (servers' too) at the end

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if not CHP.exists():
            raise RuntimeError(f"configurable-http-proxy is not at {CHP}: install it with "
                               "`npm install --prefix .venv/node configurable-http-proxy@4` "
                               "(make classload does)")
        # Short: kernels' ipc socket paths (in {tmp}/r/USER) must stay under 108 bytes.
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="classload-", dir="/tmp"))
        notebooks = self.tmp / "notebooks"
        notebooks.mkdir()
        shutil.copy(ROOT / "notebooks" / NOTEBOOK, notebooks / NOTEBOOK)
        (self.tmp / "home").mkdir()
        environment = {
            RUN_VARIABLE: self.run_id,
            "JUPYTER_PLATFORM_DIRS": "1",
            "MPLCONFIGDIR": str(self.tmp / "mplconfig"),  # shared font cache, built once
        }
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE"):
            if name in os.environ:
                environment[name] = os.environ[name]
        config = HUB_CONFIG.format(
            port=self.port, hub_port=free_port(), proxy_api_port=free_port(), chp=str(CHP),
            proxy_token=secrets.token_hex(16), tmp=self.tmp, password=self.password,
            python=sys.executable, start_timeout=self.start_timeout,
            environment=environment, notebooks=str(notebooks))
        (self.tmp / "jupyterhub_config.py").write_text(config)
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        env[RUN_VARIABLE] = self.run_id
        env["MPLCONFIGDIR"] = environment["MPLCONFIGDIR"]
        # The font cache, once, before N kernels would each build it.
        import subprocess
        subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], env=env, check=True)
        self._log_file = open(self.tmp / "hub.log", "wb")  # closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(self.tmp / "jupyterhub_config.py")],
            cwd=self.tmp, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        self.watch()
        deadline = time.monotonic() + 120
        import requests
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=5).ok:
                    self.watch()
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("jupyterhub not ready after 120 s:\n" + self.log_tail())

    def watch(self):
        """Note every process of the run alive now (called often: a process that died
        is gone from /proc, one that lives is stopped at the end)."""
        self.seen.update(run_processes(self.run_id))

    def servers(self):
        """{user name: [pid of the single-user server, pids of its kernels...]}."""
        kids = children_map()
        found = {}
        for pid in kids.get(self.proc.pid, []):
            try:
                env = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            user = next((v[len(b"JUPYTERHUB_USER="):].decode() for v in env
                         if v.startswith(b"JUPYTERHUB_USER=")), None)
            if user:
                found[user] = descendants(pid, kids)
        return found

    def memory(self):
        """{user: {"rss": MB, "pss": MB}} over each student's server and kernel processes,
        and the same for the hub and the proxy together as "hub"."""
        out = {}
        servers = self.servers()
        for user, pids in servers.items():
            kb = [memory_kb(p) for p in pids]
            out[user] = {k: round(sum(m[k] for m in kb) / 1024, 1) for k in ("rss", "pss")}
        ours = {p for pids in servers.values() for p in pids}
        rest = [p for p in descendants(self.proc.pid, children_map()) if p not in ours]
        kb = [memory_kb(p) for p in rest]
        out["hub"] = {k: round(sum(m[k] for m in kb) / 1024, 1) for k in ("rss", "pss")}
        return out

    def stop(self):
        """Stop every process of the run by PID; raise if any is left."""
        if self.proc is None:
            return
        self.watch()
        if self.proc.poll() is None:
            # The hub stops the servers it spawned and the proxy it started.
            stop_pids({self.proc.pid: _stat(self.proc.pid)[1]}, term_wait=60.0)
        with contextlib.suppress(Exception):
            self.proc.wait(5)
        self.watch()
        stop_pids(self.seen)
        left = run_processes(self.run_id)
        self._log_file.close()
        if self.keep_log is not None:
            self.keep_log.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.tmp / "hub.log", self.keep_log)
        self.left = sorted(left)
        if left:
            stop_pids(left)
            raise RuntimeError(f"processes left after stopping the hub: {sorted(left)}")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.proc = None

    def log_tail(self, n=4000):
        self._log_file.flush()
        return (self.tmp / "hub.log").read_text(errors="replace")[-n:]


# --------------------------------------------------------------------------- kernel protocol
def ws_pack(channel, msg):
    """A message in the v1 kernel websocket protocol (jupyter_server's
    ``serialize_msg_to_ws_v1``): offsets, then channel, header, parent header,
    metadata, content and buffers."""
    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata",
                                                   "content")]
    parts += [bytes(b) for b in msg.get("buffers", [])]
    channel = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(channel))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little")
                                                         for o in offsets)
    return head + channel + b"".join(parts)


def ws_unpack(data):
    """(channel, message with "buffers") from a v1 websocket frame."""
    n = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
    channel = data[offsets[0]:offsets[1]].decode()
    parts = [data[offsets[i]:offsets[i + 1]] for i in range(1, n - 1)]
    msg = {k: json.loads(p) for k, p in zip(("header", "parent_header", "metadata",
                                              "content"), parts[:4])}
    msg["buffers"] = parts[4:]
    return channel, msg


class Kernel:
    """One student's JupyterLab side of a kernel: the channels websocket, the widget
    models and ipympl's canvas protocol."""

    def __init__(self, ws, session):
        self.ws = ws
        self.session = session
        self.replies = {}  # msg_id -> future of the execute_reply
        self.models = {}  # comm id -> {"name": model name, "state": {...}}
        self.views = []  # model ids of widget views displayed, in order
        self.waiting = {}  # canvas comm id -> True while a draw is asked and no image came
        self.images = {}  # canvas comm id -> list of arrival times (monotonic)
        self.image_event = asyncio.Event()
        self.errors = []
        self.reader = asyncio.ensure_future(self._read())

    def _msg(self, msg_type, content, metadata=None, buffers=()):
        return {"header": {"msg_id": uuid.uuid4().hex, "username": "student",
                           "session": self.session, "msg_type": msg_type, "version": "5.3",
                           "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
                "parent_header": {}, "metadata": metadata or {}, "content": content,
                "buffers": list(buffers)}

    async def send(self, channel, msg_type, content, metadata=None):
        msg = self._msg(msg_type, content, metadata)
        await self.ws.write_message(ws_pack(channel, msg), binary=True)
        return msg["header"]["msg_id"]

    async def execute(self, code):
        """Send one execute_request as JupyterLab does; a future of its reply."""
        future = asyncio.get_running_loop().create_future()
        msg = self._msg("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}, {"deletedCells": [],
                                                           "recordTiming": False})
        self.replies[msg["header"]["msg_id"]] = future
        await self.ws.write_message(ws_pack("shell", msg), binary=True)
        return future

    async def comm_send(self, comm_id, data):
        await self.send("shell", "comm_msg", {"comm_id": comm_id, "data": data})

    async def canvas_send(self, comm_id, msg_type, **extra):
        """ipympl's front end ``send_message(type)``: a custom widget message."""
        await self.comm_send(comm_id, {"method": "custom",
                                       "content": {"type": msg_type, **extra}})

    async def _read(self):
        try:
            while True:
                data = await self.ws.read_message()
                if data is None:
                    return
                if isinstance(data, str):
                    continue
                channel, msg = ws_unpack(data)
                await self._handle(channel, msg)
        except Exception as exc:  # reported by the student, not lost in a task
            self.errors.append(f"{type(exc).__name__}: {exc}")

    async def _handle(self, channel, msg):
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if channel == "shell" and kind == "execute_reply":
            future = self.replies.pop(msg["parent_header"].get("msg_id"), None)
            if future is not None and not future.done():
                future.set_result(content)
        elif channel != "iopub":
            return
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            state = content["data"]["state"]
            self.models[content["comm_id"]] = {"name": state.get("_model_name"),
                                               "state": state}
            if state.get("_model_name") == "MPLCanvasModel":
                # ipympl's MPLCanvasModel.initialize -> send_initialization_message()
                cid = content["comm_id"]
                self.images[cid] = []
                self.waiting[cid] = False
                for msg_type in ("refresh", "send_image_mode", "initialized"):
                    await self.canvas_send(cid, msg_type)
        elif kind == "comm_msg":
            cid = content["comm_id"]
            data = content["data"]
            model = self.models.get(cid)
            if model is None:
                return
            if data.get("method") == "update":
                model["state"].update(data.get("state", {}))
            elif data.get("method") == "custom" and cid in self.images:
                event = json.loads(data["content"]["data"])
                if event.get("type") == "binary" and msg["buffers"]:
                    self.images[cid].append(time.monotonic())
                    self.waiting[cid] = False
                    self.image_event.set()
                elif event.get("type") == "draw" and not self.waiting[cid]:
                    self.waiting[cid] = True  # ipympl's send_draw_message()
                    await self.canvas_send(cid, "draw")
                elif event.get("type") == "resize":
                    await self.canvas_send(cid, "refresh")  # ipympl's handle_resize()
        elif kind in ("display_data", "execute_result"):
            view = content.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                self.views.append(view["model_id"])

    def lab_models(self, class_name):
        """(first slider's comm id, canvas comm id) of the displayed lab ``class_name``:
        the first of each in the lab box's widget tree, in page order."""
        for vid in self.views:
            box = self.models.get(vid, {}).get("state", {})
            if f"lab-{class_name}" not in box.get("_dom_classes", ()):
                continue
            found, todo = [], [vid]
            while todo:
                mid = todo.pop(0)
                model = self.models.get(mid, {})
                found.append((mid, model.get("name", "")))
                kids = model.get("state", {}).get("children", [])
                todo = [k.removeprefix("IPY_MODEL_") for k in kids] + todo
            slider = next(m for m, name in found if name.endswith("SliderModel"))
            canvas = next(m for m, name in found if name == "MPLCanvasModel")
            return slider, canvas
        raise RuntimeError(f"no displayed {class_name} among the notebook's widgets")

    async def settle(self, timeout):
        """Wait until no canvas waits for an image (the first renders are done)."""
        deadline = time.monotonic() + timeout
        while any(self.waiting.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def close(self):
        self.ws.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.reader, 5)


# --------------------------------------------------------------------------- a student
class Student:
    """One kernel-level student: HTTP with requests (in a thread, as it blocks), the
    kernel over a tornado websocket."""

    def __init__(self, hub, name, pool):
        self.hub, self.name, self.pool = hub, name, pool
        import requests
        self.http = requests.Session()
        self.result = {"name": name, "server_started": False, "cells_ok": False,
                       "latencies_ms": [], "missed_steps": 0, "error": None}
        self.kernel = None

    async def _call(self, func, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(
            self.pool, lambda: func(*args, **kwargs))

    def _login_and_spawn(self, timeout):
        hub = self.hub.url
        page = self.http.get(f"{hub}/hub/login", timeout=60)
        page.raise_for_status()
        xsrf = re.search(r'name="_xsrf"[^>]*value="([^"]+)"', page.text)
        form = {"username": self.name, "password": self.hub.password}
        if xsrf:
            form["_xsrf"] = xsrf.group(1)
        # Logging in sends the browser on to /hub/spawn: the server starts (the hub
        # waits a few seconds for it, then shows the progress page).
        r = self.http.post(f"{hub}/hub/login?next=", data=form, timeout=timeout)
        r.raise_for_status()
        if "/hub/login" in r.url:
            raise RuntimeError("login refused")
        if f"/user/{self.name}/" not in r.url:
            # The progress page's event stream, as its JavaScript reads it.
            headers = {"X-XSRFToken": self.http.cookies.get("_xsrf", path="/hub/") or ""}
            with self.http.get(f"{hub}/hub/api/users/{self.name}/server/progress",
                               headers=headers, stream=True, timeout=timeout) as stream:
                stream.raise_for_status()
                for line in stream.iter_lines():
                    if line.startswith(b"data:"):
                        event = json.loads(line[5:])
                        if event.get("failed"):
                            raise RuntimeError(f"spawn failed: {event.get('message')}")
                        if event.get("ready"):
                            break
            # JupyterLab's page: the OAuth handshake with the hub sets the server's cookie.
            r = self.http.get(f"{hub}/user/{self.name}/lab", timeout=timeout)
            r.raise_for_status()
        self.result["server_started"] = True

    def _open_notebook(self):
        base = f"{self.hub.url}/user/{self.name}"
        xsrf = self.http.cookies.get("_xsrf", path=f"/user/{self.name}/") or ""
        r = self.http.post(f"{base}/api/sessions", timeout=120,
                           headers={"X-XSRFToken": xsrf},
                           json={"path": NOTEBOOK, "name": NOTEBOOK, "type": "notebook",
                                 "kernel": {"name": "python3"}})
        r.raise_for_status()
        session = r.json()
        nb = self.http.get(f"{base}/api/contents/{NOTEBOOK}", timeout=120,
                           headers={"X-XSRFToken": xsrf}).json()["content"]
        cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                 for c in nb["cells"] if c["cell_type"] == "code"]
        return session, cells, xsrf

    async def run_notebook(self, timeout):
        """Login → server → kernel → every cell run. Returns when the last reply came."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        start = time.monotonic()
        await self._call(self._login_and_spawn, timeout)
        self.result["server_s"] = round(time.monotonic() - start, 2)
        session, cells, xsrf = await self._call(self._open_notebook)
        client_session = uuid.uuid4().hex
        url = (f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/"
               f"{session['kernel']['id']}/channels?session_id={client_session}")
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies
                           if f"/user/{self.name}/".startswith(c.path or "/"))
        request = HTTPRequest(url, headers={"Cookie": cookie, "X-XSRFToken": xsrf},
                              connect_timeout=timeout, request_timeout=timeout)
        ws = await websocket_connect(request, subprotocols=[WS_PROTOCOL],
                                     max_message_size=64 * 2**20)
        self.kernel = Kernel(ws, client_session)
        replies = [await self.kernel.execute(code) for code in cells]  # Run All
        done = await asyncio.wait_for(asyncio.gather(*replies), timeout)
        self.result["login_to_notebook_s"] = round(time.monotonic() - start, 2)
        bad = [i for i, reply in enumerate(done) if reply.get("status") != "ok"]
        if bad:
            raise RuntimeError(f"cells {bad} did not run: "
                               f"{done[bad[0]].get('ename')}: {done[bad[0]].get('evalue')}")
        self.result["cells"] = len(done)
        self.result["cells_ok"] = True
        await self.kernel.settle(timeout)

    async def move_slider(self, until, step_timeout):
        """Every 2 s until ``until`` (monotonic): w₀ one step, then wait for new pixels."""
        slider, canvas = self.kernel.lab_models(LAB_CLASS)
        state = self.kernel.models[slider]["state"]
        value, lo, hi, step = state["value"], state["min"], state["max"], state["step"]
        direction = 1
        tick = time.monotonic()
        while tick < until:
            if not lo <= value + direction * step <= hi:
                direction = -direction
            value = round(value + direction * step, 10)
            count = len(self.kernel.images[canvas])
            self.kernel.image_event.clear()
            sent = time.monotonic()
            await self.kernel.comm_send(slider, {"method": "update", "state": {"value": value},
                                                 "buffer_paths": []})
            while len(self.kernel.images[canvas]) == count:
                left = sent + step_timeout - time.monotonic()
                if left <= 0 or self.kernel.reader.done():
                    break
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.kernel.image_event.wait(), left)
                self.kernel.image_event.clear()
            if len(self.kernel.images[canvas]) > count:
                arrived = self.kernel.images[canvas][count]
                self.result["latencies_ms"].append(round((arrived - sent) * 1e3, 1))
            else:
                self.result["missed_steps"] += 1
            tick += STEP_S
            while tick < time.monotonic():  # a late answer skips the moves it overran
                tick += STEP_S
            await asyncio.sleep(max(0.0, min(tick, until) - time.monotonic()))
        if self.kernel.errors:
            raise RuntimeError(self.kernel.errors[0])

    async def close(self):
        if self.kernel is not None:
            await self.kernel.close()
        self.http.close()


# --------------------------------------------------------------------------- browsers
class BrowserStudent:
    """One student in a real headless Chromium (playwright), through JupyterLab's page."""

    def __init__(self, hub, name, browser):
        self.hub, self.name, self.browser = hub, name, browser
        self.result = {"name": name, "browser": True, "server_started": False,
                       "cells_ok": False, "latencies_ms": [], "missed_steps": 0,
                       "error": None}
        self.context = None

    async def run_notebook(self, timeout):
        start = time.monotonic()
        self.context = await self.browser.new_context(viewport={"width": 1600,
                                                                "height": 1600})
        page = self.page = await self.context.new_page()
        page.set_default_timeout(timeout * 1e3)
        await page.goto(f"{self.hub.url}/hub/login")
        await page.fill("input[name=username]", self.name)
        await page.fill("input[name=password]", self.hub.password)
        await page.click("input[type=submit], button[type=submit]")
        await page.wait_for_url(re.compile(rf".*/user/{self.name}/lab.*"))
        self.result["server_started"] = True
        self.result["server_s"] = round(time.monotonic() - start, 2)
        await page.goto(f"{self.hub.url}/user/{self.name}/lab/tree/{NOTEBOOK}?reset")
        await page.locator(".jp-Notebook").first.wait_for()
        await page.get_by_text(re.compile(r"ipykernel\) \| Idle")).first.wait_for()
        await page.locator("[data-command='runmenu:run-all']").count()
        await page.keyboard.press("Escape")
        await page.locator(".jp-MenuBar >> text=Run").first.click()
        await page.locator("[data-command='runmenu:run-all']").first.click()
        count = await page.locator(".jp-Cell.jp-CodeCell").count()
        last = page.locator(".jp-Cell.jp-CodeCell .jp-InputPrompt").nth(count - 1)
        await page.wait_for_function(
            "el => /\\[\\d+\\]/.test(el.textContent)", arg=await last.element_handle())
        self.result["login_to_notebook_s"] = round(time.monotonic() - start, 2)
        errors = await page.locator(".jp-OutputArea-output[data-mime-type="
                                    "'application/vnd.jupyter.stderr']").count()
        self.result["cells"] = count
        self.result["cells_ok"] = True
        self.result["stderr_outputs"] = errors
        self.lab = page.locator(f".lab-{LAB_CLASS}").first
        await self.lab.locator(".jupyter-matplotlib-figure canvas").first.wait_for()

    async def move_slider(self, until, step_timeout):
        handle = self.lab.locator(".widget-slider .noUi-handle[role=slider]").first
        canvas = self.lab.locator(".jupyter-matplotlib-figure canvas").first
        await handle.focus()
        key = "ArrowRight"
        tick = time.monotonic()
        while tick < until:
            before = await canvas.evaluate("c => c.toDataURL()")
            sent = time.monotonic()
            await handle.press(key)
            try:
                await canvas.page.wait_for_function(
                    "([c, before]) => c.toDataURL() !== before",
                    arg=[await canvas.element_handle(), before], polling="raf",
                    timeout=step_timeout * 1e3)
                self.result["latencies_ms"].append(round((time.monotonic() - sent) * 1e3, 1))
            except Exception:
                self.result["missed_steps"] += 1
            key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
            tick += STEP_S
            while tick < time.monotonic():
                tick += STEP_S
            await asyncio.sleep(max(0.0, min(tick, until) - time.monotonic()))

    async def close(self):
        if self.context is not None:
            with contextlib.suppress(Exception):
                await self.context.close()


# --------------------------------------------------------------------------- the run
def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 1)


async def _class(hub, students, browsers, *, duration, timeout, step_timeout, log):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=students + 4)
    everyone = [Student(hub, f"student{i + 1}", pool) for i in range(students)]
    playwright = browser = None
    if browsers:
        from playwright.async_api import async_playwright

        sys.path.insert(0, str(ROOT / "tests"))
        from test_browser import CHROMIUM_ARGS, chromium

        playwright = await async_playwright().start()
        browser = await playwright.chromium.launch(executable_path=chromium(),
                                                   args=CHROMIUM_ARGS)
        everyone += [BrowserStudent(hub, f"browser{i + 1}", browser) for i in range(browsers)]

    async def watch():
        while True:
            hub.watch()
            await asyncio.sleep(0.5)

    watcher = asyncio.ensure_future(watch())

    async def notebook(student):
        try:
            await student.run_notebook(timeout)
        except Exception as exc:
            student.result["error"] = f"{type(exc).__name__}: {exc}"[:500]
            log(f"  {student.name}: {student.result['error']}")

    started = time.monotonic()
    try:
        await asyncio.gather(*(notebook(s) for s in everyone))
        log(f"  notebooks run ({time.monotonic() - started:.0f} s); "
            f"slider phase {duration:.0f} s")
        ready = [s for s in everyone if s.result["cells_ok"]]
        busy0, total0 = cpu_times()
        phase_start = time.monotonic()
        until = phase_start + duration

        async def slider(student):
            try:
                await student.move_slider(until, step_timeout)
            except Exception as exc:
                student.result["error"] = f"{type(exc).__name__}: {exc}"[:500]
                log(f"  {student.name}: {student.result['error']}")

        await asyncio.gather(*(slider(s) for s in ready))
        busy1, total1 = cpu_times()
        phase_s = time.monotonic() - phase_start
        memory = hub.memory()
        hub.watch()
    finally:
        watcher.cancel()
        for student in everyone:
            with contextlib.suppress(Exception):
                await student.close()
        if browser is not None:
            with contextlib.suppress(Exception):
                await browser.close()
            with contextlib.suppress(Exception):
                await playwright.stop()
        pool.shutdown(wait=False, cancel_futures=True)
    for student in everyone:
        student.result["memory_mb"] = memory.get(student.name)
    return {"students": [s.result for s in everyone], "hub_memory_mb": memory.get("hub"),
            "cpu_busy": round((busy1 - busy0) / max(1, total1 - total0), 3),
            "slider_phase_s": round(phase_s, 1)}


def summarise(raw, students, browsers, duration):
    rows = raw["students"]
    kernel_rows = [r for r in rows if not r.get("browser")]
    browser_rows = [r for r in rows if r.get("browser")]
    mem = [r["memory_mb"] for r in rows if r.get("memory_mb")]

    def latency(group):
        values = [v for r in group for v in r["latencies_ms"]]
        return {"steps": len(values), "missed": sum(r["missed_steps"] for r in group),
                "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
                "max_ms": max(values) if values else None}

    return {
        "students": students, "browsers": browsers, "duration_s": duration,
        "servers_started": sum(r["server_started"] for r in rows),
        "notebooks_run": sum(r["cells_ok"] for r in rows),
        "errors": {r["name"]: r["error"] for r in rows if r["error"]},
        "rss_mb_per_student": round(statistics.mean(m["rss"] for m in mem), 1) if mem else None,
        "rss_mb_max": max(m["rss"] for m in mem) if mem else None,
        "pss_mb_per_student": round(statistics.mean(m["pss"] for m in mem), 1) if mem else None,
        "hub_and_proxy_mb": raw["hub_memory_mb"],
        "cpu_busy": raw["cpu_busy"], "slider_phase_s": raw["slider_phase_s"],
        "pixels": latency(kernel_rows),
        "browser_pixels": latency(browser_rows) if browser_rows else None,
        "login_to_notebook_p50_s": percentile(
            [r["login_to_notebook_s"] for r in kernel_rows if "login_to_notebook_s" in r], 50),
        "login_to_notebook_max_s": max(
            (r["login_to_notebook_s"] for r in kernel_rows if "login_to_notebook_s" in r),
            default=None),
        "per_student": rows,
    }


def run(students, *, browsers=0, duration=60.0, timeout=None, step_timeout=10.0, log=print,
        keep_log=None):
    """Start a hub, run the class, stop every process; the summary (a JSON-able dict).

    ``timeout``: seconds a student may take from login to an executed notebook, which
    is also the hub's spawn timeout. The default, 120 + 20 per student, lets a slow day
    finish and be measured: at N = 40 on 2 cores a login waits for 39 others, and on
    2026-11-30 (a day 5 times slower than 2026-11-26) the 60 + 6 per student used
    before cut off 13 of 20 spawns at N = 20 and 39 of 40 at N = 40."""
    timeout = timeout or 120.0 + 20.0 * (students + browsers)
    log(f"class load: {students} students (+{browsers} in Chromium), {duration:.0f} s of "
        "slider moves")
    hub = Hub(start_timeout=int(timeout), log=log, keep_log=keep_log)
    raw = None
    try:
        hub.start()
        raw = asyncio.run(_class(hub, students, browsers, duration=duration, timeout=timeout,
                                 step_timeout=step_timeout, log=log))
    finally:
        hub.stop()  # raises if a process is left
    summary = summarise(raw, students, browsers, duration)
    summary["left_behind"] = hub.left
    summary["processes_seen"] = len(hub.seen)
    return summary


def _interrupt_as_keyboard(signum, frame):
    raise KeyboardInterrupt


# --------------------------------------------------------------------------- report
def table(results):
    """The README's table, one row per run (N)."""
    lines = ["| N students | RSS / PSS per student | CPU busy (slider phase) | new pixels "
             "p50 / p95 (kernel-level) | browser p50 / p95 | login → executed notebook, "
             "p50 | servers / notebooks / steps missed |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        b = r.get("browser_pixels")
        who = f"{r['students']} + {r['browsers']} in Chromium" if r["browsers"] else r["students"]
        lines.append(
            f"| {who} | "
            f"{r['rss_mb_per_student']:.0f} / {r['pss_mb_per_student']:.0f} MB | "
            f"{r['cpu_busy']:.0%} | {r['pixels']['p50_ms']} / {r['pixels']['p95_ms']} ms | "
            + (f"{b['p50_ms']} / {b['p95_ms']} ms | " if b else "– | ")
            + f"{r['login_to_notebook_p50_s']} s | "
            f"{r['servers_started']} / {r['notebooks_run']} / {r['pixels']['missed']} |")
    return "\n".join(lines)


def markdown(results, machine):
    return (f"Measured {machine}. Each student: log in, start a server, run notebook 02, "
            f"then move SingleNeuronLab's w₀ slider every {STEP_S:.0f} s for "
            f"{results[0]['duration_s']:.0f} s. RSS and PSS: the student's single-user "
            "server and kernel together, at the end of the slider phase.\n\n"
            + table(results) + "\n")


def machine_line():
    import platform

    cores = os.cpu_count()
    mem = re.search(r"MemTotal:\s+(\d+)", pathlib.Path("/proc/meminfo").read_text())
    load = os.getloadavg()[0]
    return (f"{datetime.datetime.now():%Y-%m-%d %H:%M} on {cores} cores, "
            f"{int(mem.group(1)) / 2**20:.1f} GiB, Python {platform.python_version()}, "
            f"load average {load:.2f} before the run")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classload", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", "-n", type=int, nargs="+", default=[5],
                        help="kernel-level students (several numbers: one run each)")
    parser.add_argument("--browsers", type=int, default=0,
                        help="students in headless Chromium, besides (default 0)")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of slider moves (default 60)")
    parser.add_argument("--json", type=pathlib.Path,
                        default=ROOT / "benchmarks" / "results" / "classload.json")
    args = parser.parse_args(argv)
    # Ctrl-C (even where a shell started us with SIGINT ignored) and a kill both end in
    # KeyboardInterrupt, whose way out stops every process of the run.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt_as_keyboard)
    machine = machine_line()
    results = []
    for n in args.students:
        summary = run(n, browsers=args.browsers, duration=args.duration,
                      keep_log=args.json.with_name(f"classload-{n}-hub.log"))
        summary["machine"] = machine
        results.append(summary)
        print(table([summary]))
        if summary["errors"]:
            print("errors:", json.dumps(summary["errors"], indent=1))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    text = markdown(results, machine)
    print()
    print(text)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
