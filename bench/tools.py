"""The benchmark's tools, installed when missing: wrk (apt-get), and the app server
(gunicorn, or granian) and tqdm (pip, at their pins in pyproject.toml)."""

import importlib.util
import os
import re
import shutil
import subprocess
import tomllib

from bench.common import PYTHON, ROOT, BenchError, run, say


def pinned(package):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *sum(project["optional-dependencies"].values(), [])]
    for pin in pins:
        if re.split(r"[=<>\[]", pin, maxsplit=1)[0].lower() == package:
            return pin
    raise BenchError(f"{package} is not pinned in pyproject.toml")


def ensure_tools(app_server="sync"):
    if shutil.which("wrk") is None:
        say("wrk is missing: installing it with apt-get")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        try:
            run([*sudo, "apt-get", "update", "-qq"])
            run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"])
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            raise BenchError(f"Could not install wrk ({error}): install it and rerun.") from error
    # The app server serves; tqdm is generate_demo_news's progress bar, in case the venv
    # was installed from a requirements.lock older than its pin.
    for package in ("granian" if app_server == "granian" else "gunicorn", "tqdm"):
        if importlib.util.find_spec(package) is None:
            say(f"{package} is missing: installing {pinned(package)}")
            run([str(PYTHON), "-m", "pip", "install", "--quiet", pinned(package)])
