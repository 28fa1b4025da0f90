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

A query that reads given objects (the tags of a list's pages, its images' renditions, a
page at a path) takes them as `arguments`: it is compiled once for each number of them,
with stand-ins in their place that no other parameter of the query has, and each read
puts the arguments where the stand-ins are among the query's parameters. A query in
which Django did not pass a stand-in through as one parameter of its own is compiled
afresh on each read, as Django would.

A compiled query is its connection's (its converters are that database's), and a
connection is its thread's: entries are kept by connection.
"""

from itertools import count

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections

from .memo import Memo, cached_function

# (connection, key, arguments' shape) -> (connection, compiler, SQL, parameters, where
# the arguments go among them or None: compiled on each read); a few dozen in use at once.
compiled = Memo(max_size=256)


def rows(key, values_list, arguments=(), using=DEFAULT_DB_ALIAS):
    """The rows (tuples) of the queryset `values_list(*arguments)` builds, a
    `values_list()` one (not flat), compiled once for `key`, every value the queryset is
    built from but its `arguments`, and the number of values in each of those.

    `arguments`: whole numbers, texts, and lists of them (an `__in` lookup's), as read
    from the database: Django passes them through as they are."""
    connection = connections[using]
    shape = tuple(len(each) if isinstance(each, list) else type(each) for each in arguments)
    entry_key = (id(connection), key, shape)
    entry = compiled.get(entry_key)
    if entry is None or entry[0] is not connection:  # an id another connection had
        stand_ins = _stand_ins(arguments)
        compiler = values_list(*stand_ins).query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a query Django knows to find nothing (`.none()`, `IN ()`)
            return []
        entry = (connection, compiler, sql, params, _places(params, _flat(stand_ins)))
        compiled.set(entry_key, entry)
    _, compiler, sql, params, places = entry
    if places is None:
        compiler = values_list(*arguments).query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []
    elif places:
        params = list(params)
        for place, value in zip(places, _flat(arguments), strict=True):
            params[place] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if compiler.has_extra_select:  # as execute_sql trims them (cursor_iter)
        fetched = [row[: compiler.col_count] for row in fetched]
    return list(compiler.results_iter(results=[fetched], tuple_expected=True))


def instances(model, key, queryset, arguments=(), using=DEFAULT_DB_ALIAS):
    """The instances of `model` that `queryset(*arguments)` finds, every field read,
    made from its rows as Django makes them (Model.from_db), compiled as `rows` says.
    The queryset reads its model's own columns: no only(), defer(), select_related() or
    annotations."""
    names = concrete_field_names(model)

    def values_list(*values):
        return queryset(*values).values_list(*names)

    found = rows((model, *key), values_list, arguments, using)
    return [model.from_db(using, names, row) for row in found]


@cached_function(maxsize=64)
def concrete_field_names(model):
    """A model's columns in the order its __init__ takes them (Model.from_db)."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def _stand_ins(arguments):
    """For each argument, a value of its kind no other parameter is likely to have: the
    text or the negative whole number of its place (`_places` checks that none does)."""
    place = count(1)

    def stand_in(value):
        number = next(place)
        return f"\x1fcompiled query argument {number}" if isinstance(value, str) else -number

    return tuple(
        [stand_in(value) for value in each] if isinstance(each, list) else stand_in(each)
        for each in arguments
    )


def _places(params, stand_ins):
    """Where each stand-in is among the compiled query's parameters, or None where one
    is not there exactly once (Django changed it, or another parameter has its value)."""
    places = []
    for stand_in in stand_ins:
        found = [i for i, param in enumerate(params) if _same(param, stand_in)]
        if len(found) != 1:
            return None
        places.append(found[0])
    return places


def _same(param, stand_in):
    return type(param) is type(stand_in) and param == stand_in


def _flat(arguments):
    return [value for each in arguments for value in (each if isinstance(each, list) else [each])]
