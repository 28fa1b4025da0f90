"""Querysets compiled to SQL once for each shape, not on every read.

Django compiles a queryset to SQL every time it is read (django/db/models/sql/compiler.py
`execute_sql` calls `as_sql`): for the news list's rows that is most of reading them,
about 1.5 ms of CPU against 0.15 ms for PostgreSQL's answer, and for the pages that hide
others (a constant query) 1.4 ms against 0.13. So a values_list queryset whose SQL is a
function of a few values (the site's tree, the pages hidden, the filters, the slice) is
built and compiled once for those values, `key`, and then read from its SQL, each column
converted by Django's own converters (`results_iter(results=...)`): its rows are the
queryset's own. Nothing here is content, so no change retires it: the caller's key holds
every value the queryset is built from, and a new value is a new entry.

A compiled query is its connection's (its converters are that database's), and a
connection is its thread's: entries are kept by connection.
"""

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections

from .memo import Memo

# (connection, key) -> (its compiler, SQL, parameters); a few dozen shapes in use at once.
compiled = Memo(max_size=256)


def rows(key, values_list, using=DEFAULT_DB_ALIAS):
    """The rows (tuples) of the queryset `values_list()` builds, a `values_list()` one
    (not flat), compiled once for `key`: every value the queryset is built from."""
    connection = connections[using]
    entry_key = (id(connection), key)
    entry = compiled.get(entry_key)
    if entry is None or entry[0] is not connection:  # an id another connection had
        compiler = values_list().query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a query Django knows to find nothing (`.none()`)
            return []
        entry = (connection, compiler, sql, params)
        compiled.set(entry_key, entry)
    _, compiler, sql, params = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if compiler.has_extra_select:  # as execute_sql trims them (cursor_iter)
        fetched = [row[: compiler.col_count] for row in fetched]
    return list(compiler.results_iter(results=[fetched], tuple_expected=True))
