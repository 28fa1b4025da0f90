""".env.example names every environment variable the settings read, and nothing else.

The variables are found in the source of the settings modules and cms/wsgi.py: every
string given to os.environ.get / os.environ[...] / os.environ.setdefault / os.getenv,
to the settings' own readers (env_list, env_bool, env_pairs, _require_env), and
DATABASE_URL, which dj_database_url.config() reads.
"""

import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((BASE_DIR / "cms" / "settings").glob("*.py")), BASE_DIR / "cms" / "wsgi.py"]
# name(...) reading the variables its arguments name, and obj.name(...) reading the one
# its first argument names.
READERS = {"env_list", "env_bool", "env_pairs", "_require_env"}
METHOD_READERS = {("environ", "get"), ("environ", "setdefault"), ("os", "getenv")}
# A variable's line, set or left commented out: `NAME=value` or `# NAME=value`.
LISTED = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def last_name(expression):
    """`environ` for os.environ, `os` for os."""
    return getattr(expression, "attr", getattr(expression, "id", None))


def named_variables(node):
    """The expressions naming the environment variables `node` reads, if it reads any."""
    if isinstance(node, ast.Subscript) and last_name(node.value) == "environ":
        return [node.slice]
    if not isinstance(node, ast.Call):
        return []
    function = node.func
    if isinstance(function, ast.Name) and function.id in READERS:
        return node.args
    if isinstance(function, ast.Attribute):
        if (last_name(function.value), function.attr) in METHOD_READERS:
            return node.args[:1]
        if (last_name(function.value), function.attr) == ("dj_database_url", "config"):
            return [ast.Constant("DATABASE_URL")]  # the variable it reads unless told another
    return []


def names_read(tree):
    for node in ast.walk(tree):
        for expression in named_variables(node):
            if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
                yield expression.value


def settings_variables():
    return {name for source in SOURCES for name in names_read(ast.parse(source.read_text()))}


def listed_variables():
    listed = LISTED.findall((BASE_DIR / ".env.example").read_text())
    assert len(listed) == len(set(listed)), "a variable is listed twice in .env.example"
    return set(listed)


def test_the_source_reading_finds_each_kind_of_read():
    code = """
os.environ.get("A", "")
os.environ["B"]
os.environ.setdefault("C", "x")
env_list("D")
env_bool("E", False)
_require_env("F", "G")
dj_database_url.config(default="sqlite://")
os.getenv("H")
os.environ.get(name)  # a parameter, not a variable's name
"""
    assert set(names_read(ast.parse(code))) == {
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "G",
        "H",
        "DATABASE_URL",
    }


def test_every_variable_the_settings_read_is_in_env_example():
    missing = settings_variables() - listed_variables()
    assert not missing, f"Add to .env.example, each with a one-line comment: {sorted(missing)}"


def test_env_example_lists_no_variable_that_nothing_reads():
    unread = listed_variables() - settings_variables()
    assert not unread, f"No setting reads these any more: {sorted(unread)}"


def test_each_variable_has_a_comment_of_its_own():
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if LISTED.match(line):
            above = lines[number - 1]
            assert above.startswith("# ") and not LISTED.match(above), line
