"""A cage for parsers of untrusted files: run ``func(*args)`` in a child process with hard limits.

Every parser of a file that a visitor uploads or a CLI user names (scenario GeoPackage/GeoJSON, moves CSV, council
hours CSV) runs through ``run_caged`` (issue 18): the server process only hands bytes over and receives plain,
picklable, already-checked values back, so a file that would loop, recurse or allocate without end stops in the
child and never holds the server's GIL, memory or CPU.

Limits (per call; each can be lowered by the caller, e.g. a test):

- ``CPU_S`` = 30 s of CPU time (``RLIMIT_CPU``; SIGXCPU at 30 s, SIGKILL at 31 s). The slowest honest import we
  measured, a 19 MB GeoJSON of 20,000 features (the import limits), takes 2.7 s of CPU on this 2-core machine
  (``bench/hostile.py``, BENCHMARKS.md); 30 s is ten times that, for a slower machine, without letting one upload
  pin a core for long. Every hostile 20 MB case of issue 18 is refused in under 0.5 s of CPU.
- ``MEMORY_MB`` = 3,072 MB of address space (``RLIMIT_AS``, virtual size, not resident memory). A child forked
  from the preloaded fork server starts at 500 MB of virtual size (numpy, pandas, GDAL, shapely mapped in, 110 MB
  resident); the honest 19 MB import above peaks at 1.76 GB virtual (360 MB resident). 3 GB leaves 1.3 GB of
  headroom over that and still stops the "4 GB importer" of issue 18 §3 (the server itself is not limited).
- ``WALL_S`` = 90 s wall clock, measured by the parent, which kills the child when it is over: the same 19 MB
  import took 16 s of wall time with a load average of 30 on the 2 cores (a child gets a small share of a core),
  so the wall limit is three times the CPU limit.
- ``FILE_MB`` = 64 MB per file written (``RLIMIT_FSIZE``): the 20 MB upload copy plus GDAL's scratch.
- at most ``MAX_CONCURRENT`` = 2 cages at once per server process (one per core; a third upload waits, for up to
  its wall-clock limit, then gets "the server is busy"), so many simultaneous uploads cannot multiply the limits;
- no core dumps (``RLIMIT_CORE`` 0); the child's working and temporary directory is a private folder that the
  parent removes in a ``finally`` whether the child ends, fails or is killed.

On a breach the child is killed and ``CageError`` (a ``DataError``: the CLI exits 2, pages show it) says in one
sentence which limit the file went over; an unforeseen exception in the child becomes a sentence naming only its
type; ``DataError`` raised by the parser comes back with its own message. The child runs in a process of the
``forkserver`` context (started once by exec, never a ``fork`` of the threaded server) with numpy, pandas,
shapely, GDAL (pyogrio) and geopandas preloaded, so each call costs a fork (~0.1 s), not an interpreter start.
Results travel back as one pickle of at most ``MAX_RESULT_BYTES``, read by an unpickler that builds only plain
values (tuples, lists, dicts, sets, str, bytes, numbers, None, ``decimal.Decimal``): even a child taken over by
a file (say, through a memory bug in a C library) cannot make the server run code by sending a crafted pickle.

The child never imports the caller's main module (``multiprocessing`` would re-run it by path in every child:
under ``streamlit run`` that is the app script itself): ``_CagePopen`` drops the main module from the data the
child prepares from, so the parser's own module, imported by name, is all the child runs.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.popen_forkserver
import multiprocessing.spawn
import os
import pickle
import resource
import shutil
import signal
import tempfile
import threading

from .datadir import DataError

CPU_S = 30
MEMORY_MB = 3072
WALL_S = 90
FILE_MB = 64
MAX_RESULT_BYTES = 512 * 1024 * 1024
MAX_CONCURRENT = 2
PRELOAD = ["numpy", "pandas", "shapely", "pyogrio", "geopandas", "sqlite3", "csv", "json", "geodata.limits"]

_ctx = None
_ctx_lock = threading.Lock()
_launch_lock = threading.Lock()
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain values only: no class may be looked up except ``decimal.Decimal``."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("decimal", "Decimal"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError("the result is not made of plain values")


def plain_loads(payload: bytes):
    """``pickle.loads`` for the child's answer, refusing anything but plain values (see the module docstring)."""
    import io

    return _PlainUnpickler(io.BytesIO(payload)).load()


class CageError(DataError):
    """A parser of an untrusted file went over a limit of the cage (CPU, memory, wall clock) or crashed."""


def _context():
    """The forkserver context (created once; the server preloads the heavy libraries when it starts)."""
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _ctx = ctx
        return _ctx


class _CagePopen(multiprocessing.popen_forkserver.Popen):
    """A forkserver child that does not re-import the caller's ``__main__`` (a streamlit script, a bench)."""

    def _launch(self, process_obj):
        spawn = multiprocessing.spawn
        real = spawn.get_preparation_data

        def without_main(name):
            data = real(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        with _launch_lock:
            spawn.get_preparation_data = without_main
            try:
                super()._launch(process_obj)
            finally:
                spawn.get_preparation_data = real


class _CageProcess(multiprocessing.get_context("forkserver").Process):  # type: ignore[misc]
    @staticmethod
    def _Popen(process_obj):
        return _CagePopen(process_obj)


def _limit(kind: int, soft: int, hard: int | None = None) -> None:
    """Lower a resource limit of this process (never raise it above what it already is)."""
    _, cur = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if cur != resource.RLIM_INFINITY:
        soft, hard = min(soft, cur), min(hard, cur)
    resource.setrlimit(kind, (soft, hard))


def _child(conn, func, args, kwargs, workdir: str, cpu_s: int, memory_mb: int) -> None:
    """Runs in the child: limits first, then the parser. Sends back ("ok", result) or
    ("data" | "memory" | "error", text)."""
    try:
        os.chdir(workdir)
        tempfile.tempdir = workdir
        os.environ.update(TMPDIR=workdir, CPL_TMPDIR=workdir)
        _limit(resource.RLIMIT_CORE, 0)
        _limit(resource.RLIMIT_FSIZE, FILE_MB * 1024 * 1024)
        _limit(resource.RLIMIT_CPU, cpu_s, cpu_s + 1)
        _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
        out = ("ok", func(*args, **kwargs))
    except DataError as exc:
        out = ("data", str(exc))
    except MemoryError:
        out = ("memory", "")
    except RecursionError:
        out = ("error", "RecursionError")
    except BaseException as exc:  # noqa: BLE001 - anything else becomes its type name, never a traceback
        out = ("error", type(exc).__name__)
    try:
        payload = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", ""))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result is a bug of the parser
        payload = pickle.dumps(("error", f"unpicklable result ({type(exc).__name__})"))
    if len(payload) > MAX_RESULT_BYTES:
        payload = pickle.dumps(("memory", ""))
    conn.send_bytes(payload)
    conn.close()


def _breach(label: str, exitcode: int | None, cpu_s: int, memory_mb: int, wall_s: float) -> CageError:
    if exitcode is None:
        return CageError(f"{label}: reading it took longer than {wall_s:g} s; it was stopped and nothing was imported")
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return CageError(
            f"{label}: reading it needed more than {cpu_s} s of processor time; it was stopped and nothing was imported"
        )
    return CageError(f"{label}: the reader stopped on this file (exit {exitcode}); nothing was imported")


def run_caged(
    func,
    *args,
    label: str = "the file",
    cpu_s: int = CPU_S,
    memory_mb: int = MEMORY_MB,
    wall_s: float = WALL_S,
    **kwargs,
):
    """``func(*args, **kwargs)`` run in a caged child; its (picklable) result, or a DataError / CageError.

    ``func`` must be a module-level function (it is pickled by name) that returns plain values (see
    ``plain_loads``: no DataFrames or dataclasses; convert them in the parent). ``label`` names the input in messages
    (already sanitised by the caller: never file content). At most ``MAX_CONCURRENT`` run at once."""
    if not _slots.acquire(timeout=wall_s):
        raise CageError(f"{label}: the server is busy reading other files; nothing was imported, try again in a minute")
    try:
        return _run(func, args, kwargs, label, cpu_s, memory_mb, wall_s)
    finally:
        _slots.release()


def _run(func, args, kwargs, label: str, cpu_s: int, memory_mb: int, wall_s: float):
    ctx = _context()
    workdir = tempfile.mkdtemp(prefix="zoneplan-cage-")
    recv, send = ctx.Pipe(duplex=False)
    proc = _CageProcess(
        target=_child,
        args=(send, func, args, kwargs, workdir, int(cpu_s), int(memory_mb)),
        daemon=True,
        name="zoneplan-cage",
    )
    payload = None
    try:
        proc.start()
        send.close()
        ready = recv.poll(wall_s)
        if ready:
            try:
                payload = recv.recv_bytes(MAX_RESULT_BYTES)
            except (EOFError, OSError):
                payload = None
        if payload is None:
            proc.join(5 if ready else 0)
            if proc.is_alive():
                proc.kill()
                proc.join(10)
            raise _breach(label, proc.exitcode if ready else None, cpu_s, memory_mb, wall_s)
    finally:
        try:
            if proc.pid is not None:  # started
                if proc.is_alive():
                    proc.kill()
                proc.join(10)
        finally:
            recv.close()
            send.close()
            shutil.rmtree(workdir, ignore_errors=True)
    try:
        kind, value = plain_loads(payload)
    except (pickle.UnpicklingError, ValueError, TypeError, EOFError):
        raise CageError(f"{label}: the reader gave an answer that is not plain data; nothing was imported") from None
    if kind == "ok":
        return value
    if kind == "data":
        raise DataError(value)
    if kind == "memory":
        raise CageError(f"{label}: reading it needed more than {memory_mb:,} MB of memory; nothing was imported")
    raise CageError(f"{label}: cannot be read ({value}); nothing was imported")
