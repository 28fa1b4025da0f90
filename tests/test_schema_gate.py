"""The breaking-change gate: schema.graphql against the released schema
(schema.released.graphql), by graphql-core's `find_breaking_changes`.

A change that would break a front end's query passes only when CHANGELOG.md's "API"
section records it: an entry naming its coordinate (`Type.field`, `Enum.VALUE`, a type)
with a `Migration:` note. A field, argument or enum value must also have been deprecated
(`deprecation_reason`) in the released schema before it is removed. Dangerous changes
(`find_dangerous_changes`: a value added to an enum, a default changed) are printed.
"""

import re
from pathlib import Path

from graphql import BreakingChangeType, build_schema, find_breaking_changes, find_dangerous_changes

ROOT = Path(__file__).resolve().parents[1]
CURRENT = ROOT / "schema.graphql"
RELEASED = ROOT / "schema.released.graphql"
CHANGELOG = ROOT / "CHANGELOG.md"

# The coordinate a change is recorded by, from graphql-core's description of it; the
# first pattern that matches names it.
COORDINATES = (
    (re.compile(r"^(\w+) was removed from enum type (\w+)\."), "{1}.{0}"),
    (re.compile(r"^(\w+) was removed from union type (\w+)\."), "{1}"),
    (re.compile(r"^A required field (\w+) on input type (\w+) "), "{1}.{0}"),
    (re.compile(r"^A required arg \w+ on directive (\w+) "), "@{0}"),
    (re.compile(r" was removed from (\w+)\.$"), "@{0}"),  # a directive's argument, location
    (re.compile(r"^Standard scalar (\w+) "), "{0}"),
    (re.compile(r"\b(\w+)\.(\w+)\b"), "{0}.{1}"),  # a field, or an argument of one
    (re.compile(r"^(\w+) "), "{0}"),  # a type, or a directive
)
REMOVED_ARGUMENT = re.compile(r"^(\w+)\.(\w+) arg (\w+) was removed\.")


def coordinate(change):
    for pattern, form in COORDINATES:
        found = pattern.search(change.description)
        if found:
            return form.format(*found.groups())
    raise ValueError(f"No coordinate in {change.description!r}")


def api_entries(changelog):
    """The list items of the changelog's "API" section, each with its wrapped lines."""
    section = re.search(r"^## API\n(.*?)(?=^## |\Z)", changelog, flags=re.M | re.S)
    if section is None:
        return []
    items = re.split(r"^- ", section.group(1), flags=re.M)[1:]
    return [" ".join(item.split()) for item in items]


def was_deprecated(released, change):
    """Whether what the change removes carried a deprecation_reason in the release (None:
    what it changes cannot be deprecated, e.g. a type)."""
    if change.type is BreakingChangeType.FIELD_REMOVED:
        type_name, field_name = coordinate(change).split(".")
        return released.get_type(type_name).fields[field_name].deprecation_reason is not None
    if change.type is BreakingChangeType.ARG_REMOVED:
        type_name, field_name, argument = REMOVED_ARGUMENT.match(change.description).groups()
        field = released.get_type(type_name).fields[field_name]
        return field.args[argument].deprecation_reason is not None
    if change.type is BreakingChangeType.VALUE_REMOVED_FROM_ENUM:
        type_name, value = coordinate(change).split(".")
        return released.get_type(type_name).values[value].deprecation_reason is not None
    return None


def unrecorded_breaking_changes(released_sdl, current_sdl, changelog):
    """What keeps the gate shut: each breaking change not recorded with a migration note,
    or removing what the release had not deprecated."""
    released = build_schema(released_sdl)
    entries = [entry for entry in api_entries(changelog) if "Migration:" in entry]
    problems = []
    for change in find_breaking_changes(released, build_schema(current_sdl)):
        where = coordinate(change)
        if not any(f"`{where}`" in entry for entry in entries):
            problems.append(
                f"{change.description} Record it in CHANGELOG.md's API section: an entry "
                f"naming `{where}` with a 'Migration:' note for front ends."
            )
        if was_deprecated(released, change) is False:
            problems.append(
                f"{change.description} Deprecate it first (deprecation_reason) and remove "
                "it in a later release."
            )
    return problems


def test_schema_graphql_breaks_nothing_the_changelog_does_not_record(capsys):
    released, current = RELEASED.read_text(), CURRENT.read_text()
    dangerous = find_dangerous_changes(build_schema(released), build_schema(current))
    if dangerous:
        with capsys.disabled():
            print("\nDangerous changes since the released schema (clients may notice):")
            for change in dangerous:
                print(f"  {change.description}")
    problems = unrecorded_breaking_changes(released, current, CHANGELOG.read_text())
    assert not problems, "\n".join(problems)


RELEASED_SDL = """
type Query {
  title: String!
  heading: String @deprecated(reason: "Use `title`.")
  summary: String
}
"""
WITHOUT_HEADING = "type Query { title: String! summary: String }"
WITHOUT_SUMMARY = 'type Query { title: String! heading: String @deprecated(reason: "x") }'
RECORDED = """# Changelog

## API

- Removed `Query.heading`, deprecated since 2.0.
  Migration: select `Query.title` instead.
- Added `Query.title`.

## Content
"""


def test_the_gate_fails_on_a_removed_field_until_the_changelog_records_it():
    [problem] = unrecorded_breaking_changes(RELEASED_SDL, WITHOUT_HEADING, "# Changelog\n")
    assert problem.startswith("Query.heading was removed.")
    assert unrecorded_breaking_changes(RELEASED_SDL, WITHOUT_HEADING, RECORDED) == []


def test_a_changelog_entry_needs_a_migration_note_in_the_api_section():
    no_note = RECORDED.replace("Migration: select", "Select")
    elsewhere = "# Changelog\n\n## API\n\n## Content\n\n- Removed `Query.heading`. Migration: x\n"
    assert unrecorded_breaking_changes(RELEASED_SDL, WITHOUT_HEADING, no_note)
    assert unrecorded_breaking_changes(RELEASED_SDL, WITHOUT_HEADING, elsewhere)


def test_a_field_not_deprecated_in_the_release_cannot_be_removed():
    changelog = RECORDED.replace("`Query.heading`", "`Query.summary`")
    [problem] = unrecorded_breaking_changes(RELEASED_SDL, WITHOUT_SUMMARY, changelog)
    assert "Deprecate it first" in problem


def test_changes_are_recorded_by_their_coordinates():
    released = build_schema(
        'enum Level { H2 H3 OLD @deprecated(reason: "x") } union Result = A | B '
        "type A { a: Int } type B { b: Int } "
        "type Query { level: Level result: Result page(id: ID, slug: String): A gone: B }"
    )
    current = build_schema(
        "enum Level { H2 H3 } union Result = A type A { a: Int } "
        "type Query { level: Level result: Result page(id: ID!): A gone: A }"
    )
    coordinates = {coordinate(change) for change in find_breaking_changes(released, current)}
    assert coordinates == {"B", "Level.OLD", "Result", "Query.page", "Query.gone"}
