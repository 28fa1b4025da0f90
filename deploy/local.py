"""`make production`: the Procfile's processes on this machine, as a platform runs them.

The release step first (the deployment stops if it fails), then `web`, `worker` and
`scheduler` together, each in a process group of its own, with this environment
(DATABASE_URL, REDIS_URL, PORT, the AWS_* media variables, ...: see .env.example) and
production settings unless DJANGO_SETTINGS_MODULE says otherwise. Their output is this
process's (JSON lines). Ctrl-C, SIGTERM, or any process exiting stops them all.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = ROOT / "Procfile"
# What a Procfile line is (Heroku's rule): a process type, a colon, its command. Other
# lines (blank, comments) mean nothing.
PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
LONG_RUNNING = ("web", "worker", "scheduler")
STOP_SECONDS = 25  # gunicorn's graceful_timeout (deploy/gunicorn.conf.py), and a margin


def procfile():
    """The Procfile's commands by process type."""
    lines = (PROCFILE_LINE.match(line) for line in PROCFILE.read_text().splitlines())
    return {match[1]: match[2] for match in lines if match}


def environment(**variables):
    """This environment with the project's virtualenv first on PATH (where the Procfile's
    `python` and `gunicorn` are), production settings by default, and `variables`."""
    env = {**os.environ, **variables}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
    return env


def start(command, env, **popen):
    """A Procfile command, run by bash as a platform would, in a process group of its own
    (so stopping it stops what it started: gunicorn's workers, the scheduler's commands)."""
    return subprocess.Popen(  # noqa: S603 (the Procfile's own commands)
        ["/bin/bash", "-c", command], cwd=ROOT, env=env, start_new_session=True, **popen
    )


def stop(processes, seconds=STOP_SECONDS):
    """SIGTERM to each command (gunicorn's master stops its workers, the task worker ends
    its task), then, once it has exited or after `seconds`, SIGKILL to whatever is left
    of its process group."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + seconds
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main():
    commands = procfile()
    env = environment()
    print(f"release: {commands['release']}", file=sys.stderr, flush=True)
    released = start(commands["release"], env)
    if released.wait() != 0:
        sys.exit(f"The release step failed (exit status {released.returncode}): not starting.")

    # SIGTERM (from a platform, or kill) ends like Ctrl-C: in the `finally` below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    processes = {}
    try:
        for name in LONG_RUNNING:
            print(f"{name}: {commands[name]}", file=sys.stderr, flush=True)
            processes[name] = start(commands[name], env)
        # Any process ending ends the deployment, as on a platform that restarts it.
        pid, status = os.wait()
        ended = next(name for name, process in processes.items() if process.pid == pid)
        print(
            f"{ended} exited (status {os.waitstatus_to_exitcode(status)}): stopping the others.",
            file=sys.stderr,
            flush=True,
        )
    except KeyboardInterrupt:
        print("Stopping.", file=sys.stderr, flush=True)
    finally:
        stop(processes.values())


if __name__ == "__main__":
    main()
