"""The machine a run was measured on, and the number of BLAS threads.

numpy's BLAS is OpenBLAS in the numpy wheels. Its thread count is read and set through
its C API with ctypes (as threadpoolctl does; threadpoolctl is used when installed).
Where neither works, set OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS / MKL_NUM_THREADS)
before starting Python; the report then shows the thread count as unknown.
"""

import ctypes
import datetime
import os
import platform
import resource
import subprocess
import time

import numpy as np


def _openblas():
    """numpy's OpenBLAS as a ctypes library, or None (another BLAS, or not Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(p for p in paths if p.startswith("/")):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _symbol(lib, name):
    """OpenBLAS function ``name``, under the prefixes and suffixes its builds use
    (scipy-openblas64 in the numpy wheels exports scipy_openblas_<name>64_)."""
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            func = getattr(lib, f"{prefix}openblas_{name}{suffix}", None)
            if func is not None:
                return func
    return None


def blas_threads(n=None):
    """Set numpy's BLAS to ``n`` threads (when n is given); return the count in use
    (None if it cannot be read)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        lib = _openblas()
        if lib is None:
            return None
        get, put = _symbol(lib, "get_num_threads"), _symbol(lib, "set_num_threads")
        if n is not None and put is not None:
            put.argtypes = [ctypes.c_int]
            put(int(n))
        return int(get()) if get is not None else None
    if n is not None:
        threadpool_limits(int(n), user_api="blas")
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return counts[0] if counts else None


def _blas_config():
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # the layout of numpy's build info is not an API
        return "unknown"
    text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    lib = _openblas()
    corename = _symbol(lib, "get_corename") if lib is not None else None
    if corename is not None:
        corename.restype = ctypes.c_char_p
        text += f" (kernel {corename().decode()})"
    return text


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb():
    try:
        with open("/proc/meminfo") as info:
            kb = int(info.readline().split()[1])
        return round(kb / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None


def _git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, cwd=os.path.dirname(__file__))
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


class OtherProcesses:
    """Share of the machine's CPU time that other processes used since ``start()``.

    The load average counts this process's own threads too; this does not, so it tells
    whether anything else competed with a measurement (0 = nothing, 1 = every core).
    """

    def __init__(self):
        self.start()

    @staticmethod
    def _busy_seconds():
        try:
            with open("/proc/stat") as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal: all but idle and iowait
        busy = sum(fields[:3]) + sum(fields[5:8])
        return busy / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_seconds():
        # Finished children (notebook kernels) count as this process's own work.
        return sum(usage.ru_utime + usage.ru_stime for usage in
                   (resource.getrusage(resource.RUSAGE_SELF),
                    resource.getrusage(resource.RUSAGE_CHILDREN)))

    def start(self):
        self._start = (time.monotonic(), self._busy_seconds(), self._own_seconds())

    def share(self):
        """Others' CPU time ÷ (elapsed time × cores), rounded; None off Linux."""
        wall, busy, own = time.monotonic(), self._busy_seconds(), self._own_seconds()
        if busy is None or self._start[1] is None or wall <= self._start[0]:
            return None
        others = (busy - self._start[1]) - (own - self._start[2])
        cores = os.cpu_count() or 1
        return round(min(max(others / ((wall - self._start[0]) * cores), 0.0), 1.0), 3)


def load_average():
    """The 1, 5 and 15 minute load averages (other processes skew timings)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def python_loop_seconds(steps=10_000_000):
    """Seconds for a plain Python loop of ``steps`` additions: how fast this machine runs
    Python today. Machines of one kind differ from day to day (on 2026-11-30 this loop took
    about 4 s here, on a day when the single-neuron grid and the labs ran 5-6 times slower
    than on 2026-11-26), and every time in the report moves with it; the ratios to
    PyTorch, measured in turns, do not."""
    start = time.perf_counter()
    total = 0
    for i in range(steps):
        total += i
    return time.perf_counter() - start


def machine_info(torch_module=None):
    """A dict describing the machine and the libraries, for the report."""
    import matplotlib

    import lecture_mlp

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": cores,
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": _blas_config(),
        "blas_threads": blas_threads(),
        "matplotlib": matplotlib.__version__,
        "lecture_mlp": lecture_mlp.__version__,
        "git_commit": _git_commit(),
        "python_loop_s": round(python_loop_seconds(), 2),
        "torch": None,
        "torch_threads": None,
        "thread_env": {name: os.environ[name] for name in
                       ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
                       if name in os.environ},
    }
    if torch_module is not None:
        info["torch"] = torch_module.__version__
        info["torch_threads"] = torch_module.get_num_threads()
    return info
