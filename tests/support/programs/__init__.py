"""Programs the tests run in a process of their own, one module each, as

    python -m tests.support.programs.<name> ARGS...

from the project directory, under the environment the test gives it (see
tests/support/app_process.py's `run`). Each sets Django up itself, as a fresh process
must, and says in its docstring what it does and what arguments it takes.
"""
