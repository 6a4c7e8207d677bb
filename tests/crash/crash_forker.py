"""A fork server for the crash tests: import tripolar once, then fork one child per run.

Started as a script by ``test_crash_kill.py``. Each request is one JSON line on standard
input, each answer one JSON line on standard output:

* ``{"op": "run", "argv": [...], "env": {...}, "cwd": DIR, "stdout": PATH, "stderr": PATH}``
  forks a child that runs ``tripolar.cli.main.main(argv)`` exactly as the ``tripolar`` console
  script does (standard output and error go to the two files) and answers ``{"pid": N}``;
* ``{"op": "wait", "pid": N}`` reaps that child and answers ``{"code": C}`` (exit status)
  or ``{"signal": S}`` (killed by signal S); ``{"op": "poll", "pid": N}`` does the same
  without waiting, answering ``{"running": true}`` while the child runs.

Forking a process that has already imported numpy, pandas, SQLAlchemy and matplotlib costs
milliseconds; starting the console script costs seconds of imports on a loaded machine, and
imports write nothing, so the kills land where files and the store are written. Before it
answers ``{"ready": true}`` the server runs ``assess --no-save`` and ``stability`` once
without any output file, so that every child starts with the bundled data already read.
The test kills children itself (SIGKILL), between ``run`` and ``wait``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

# One thread per numerical library: a child forked from a process with a live thread pool
# may wait forever for a thread that does not exist in the child.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["MPLBACKEND"] = "Agg"

PRELOAD = (
    "tripolar.cli.main",
    "tripolar.assessment",
    "tripolar.context",
    "tripolar.report.assessment",
    "tripolar.report.plots",
    "tripolar.stability.run",
    "tripolar.store",
    "tripolar.store.runlog",
    "tripolar.verification.encoding",
    "tripolar.verification.escrow",
    "tripolar.verification.files",
    "tripolar.verification.formats",
    "matplotlib.pyplot",
)


def _child(request: dict[str, object]) -> None:
    from tripolar.cli.main import main

    code = 70
    try:
        env = request.get("env") or {}
        assert isinstance(env, dict)
        os.environ.update({str(k): str(v) for k, v in env.items()})
        os.chdir(str(request["cwd"]))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, key in ((1, "stdout"), (2, "stderr")):
            out = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(out, fd)
            os.close(out)
        argv = request["argv"]
        assert isinstance(argv, list)
        code = main([str(a) for a in argv])
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException as exc:  # the child must never return into the server loop
        with open(str(request["stderr"]), "a") as fh:
            fh.write(f"crash_forker child: {type(exc).__name__}: {exc}\n")
    os._exit(code)


def _warm_up() -> None:
    """Fill the per-process caches (bundled data, fonts) once, writing no file or store."""
    import contextlib
    import io

    from tripolar.cli.main import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["assess", "--samples", "1", "--no-save"]) == 0
        assert main(["stability", "--samples", "1"]) == 0
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("warm-up")
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def serve() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    _warm_up()
    reply = sys.stdout
    reply.write(json.dumps({"ready": True}) + "\n")
    reply.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "run":
            pid = os.fork()
            if pid == 0:
                _child(request)
            answer: dict[str, int | bool] = {"pid": pid}
        else:
            flags = os.WNOHANG if request["op"] == "poll" else 0
            done, status = os.waitpid(int(request["pid"]), flags)
            if done == 0:
                answer = {"running": True}
            elif os.WIFSIGNALED(status):
                answer = {"signal": os.WTERMSIG(status)}
            else:
                answer = {"code": os.waitstatus_to_exitcode(status)}
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


if __name__ == "__main__":
    serve()
