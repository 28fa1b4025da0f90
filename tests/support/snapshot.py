"""Rows of the test database, copied out once and written back at will.

`rows_made_by(change)` runs `change` in a transaction it rolls back and returns a
`Snapshot` of every table the change left different; `rows_now()` one of every table
that has rows. `snapshot.restore()` makes those tables hold exactly those rows again (in
the caller's transaction), much faster than making them again. Restoring assumes the
other tables are as they were when the snapshot was taken (the test database as
migrated), which holds between test modules and at the start of a transactional test
(its database flushed and the migrated rows written back: tests/conftest.py).

SQLite's full-text search tables (virtual tables, and the tables they keep their index
in) are left out: the triggers Wagtail's search migration puts on its index entries
keep them in step as those are deleted and inserted. PostgreSQL's sequences need no
resetting: they are not rolled back, so they already stand past every copied id.
"""

from dataclasses import dataclass

from django.db import connection, transaction


def _tables():
    """The tables whose rows are copied: on SQLite, neither its own (sqlite_sequence
    follows the ids inserted) nor full-text search ones (see the module's docstring)."""
    if connection.vendor != "sqlite":
        return connection.introspection.table_names(include_views=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        found = cursor.fetchall()
    virtual = [name for name, sql in found if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return [
        name
        for name, _ in found
        if not name.startswith("sqlite_")
        and not any(name == v or name.startswith(f"{v}_") for v in virtual)
    ]


def _read(cursor, table):
    """The table's columns, by name (a test that migrates backwards and forwards can
    leave them in another order), and its rows."""
    quoted = connection.ops.quote_name(table)
    cursor.execute(f"SELECT * FROM {quoted} LIMIT 0")  # noqa: S608 (the database's own names)
    columns = [connection.ops.quote_name(column[0]) for column in cursor.description]
    if connection.vendor == "postgresql":
        # COPY's text format writes every type back exactly as it read it.
        with cursor.copy(f"COPY {quoted} ({', '.join(columns)}) TO STDOUT") as copy:
            return columns, b"".join(bytes(block) for block in copy)
    # Unary plus leaves each value as SQLite stores it: without a declared type, the
    # column escapes the converters Django registers (dates, booleans, decimals).
    cursor.execute(f"SELECT {', '.join(f'+{column}' for column in columns)} FROM {quoted}")  # noqa: S608
    return columns, cursor.fetchall()


def _write(cursor, table, rows):
    quoted = connection.ops.quote_name(table)
    columns, values = rows
    cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {quoted} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(values)
    elif values:
        marks = ", ".join("%s" for _ in columns)
        cursor.executemany(f"INSERT INTO {quoted} ({', '.join(columns)}) VALUES ({marks})", values)  # noqa: S608


@dataclass
class Snapshot:
    rows: dict  # table: its columns and rows, as _read returns them

    def restore(self):
        """Write the copied rows back in one transaction: the foreign keys, which Django
        makes deferrable, are checked once every table is whole again."""
        with transaction.atomic(), connection.cursor() as cursor:
            for table, rows in self.rows.items():
                _write(cursor, table, rows)


def rows_now():
    """A Snapshot of every table that has rows."""
    with connection.cursor() as cursor:
        found = {table: _read(cursor, table) for table in _tables()}
    return Snapshot({table: read for table, read in found.items() if read[1]})


def rows_made_by(change):
    """Run `change` in a transaction rolled back after it; a Snapshot of the tables it
    left different."""
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _tables()
        before = {table: _read(cursor, table) for table in tables}
        change()
        after = {table: _read(cursor, table) for table in tables}
        transaction.set_rollback(True)
    return Snapshot({table: rows for table, rows in after.items() if rows != before[table]})
