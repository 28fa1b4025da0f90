"""The benchmark's datasets, cached between runs (`make bench-clean` drops them).

Each is a database of its own: on PostgreSQL when it answers, else a SQLite file under
bench/.data/. bench/inprocess.py migrates it, loads the Southwark content and tops the
demo news up to the pages asked for: `cms_bench` (--small), `cms_bench_10k` (--large) and,
with --huge, `cms_bench_50k` (--huge-pages).
"""

import re
import shutil

from bench.common import DATA_DIR, PYTHON, ROOT, run_and_show, say

DATABASES = {"small": "cms_bench", "large": "cms_bench_10k", "huge": "cms_bench_50k"}
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def postgres_answers(url):
    try:
        import psycopg

        psycopg.connect(f"{url}/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def database_urls(options):
    """{dataset: DATABASE_URL}, and which engine they are on."""
    if not options.sqlite and postgres_answers(options.postgres_url):
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{options.postgres_url}/postgres", autocommit=True) as conn:
            existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
            for name in DATABASES.values():
                if name not in existing:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        urls = {key: f"{options.postgres_url}/{name}" for key, name in DATABASES.items()}
        return urls, "PostgreSQL"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    urls = {key: f"sqlite:///{DATA_DIR / name}.sqlite3" for key, name in DATABASES.items()}
    return urls, "SQLite"


def clean(options):
    if postgres_answers(options.postgres_url):
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{options.postgres_url}/postgres", autocommit=True) as conn:
            for name in DATABASES.values():
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                conn.execute(drop.format(sql.Identifier(name)))
                say(f"dropped database {name} (if it was there)")
    else:
        say(f"PostgreSQL is not answering at {options.postgres_url}: no database dropped there")
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    say(f"removed {DATA_DIR.relative_to(ROOT)}/")


def build_dataset(env, pages):
    """Migrate, load the Southwark content, and top the demo news up to `pages`."""
    output = run_and_show([str(PYTHON), "bench/inprocess.py", "prepare", str(pages)], env=env)
    *said, count = output.strip().splitlines()
    for line in said:
        if not LOG_RECORD.match(line):  # the app's own start-up logging
            say(line)
    have = int(count)
    if have > pages:
        say(f"note: the dataset holds {have} demo news pages, more than the {pages} asked for")
    return have
