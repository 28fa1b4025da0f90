"""Trust GraphQL documents: a front end's manifest, or docs/queries/ by default."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from graphql import GraphQLSyntaxError, parse, print_ast

from api.graphql.persisted import register, sha256_of

DOCS_QUERIES = Path(settings.BASE_DIR) / "docs" / "queries"


class Command(BaseCommand):
    help = (
        "Register trusted GraphQL documents: each FILE a JSON manifest of SHA-256 hash -> "
        "document (graphql-codegen's client preset writes one with `persistedDocuments`); "
        "with no FILE, every query in docs/queries/, as written and as printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE")

    def handle(self, *args, files, **options):
        documents = {}
        for name in files:
            documents.update(self.manifest(Path(name)))
        if not files:
            for path in sorted(DOCS_QUERIES.glob("*.graphql")):
                documents.update(self.written_and_printed(path))
        try:
            added, known = register(documents)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Trusted documents: {added} added, {known} already registered.")

    def manifest(self, path):
        try:
            documents = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: not a readable JSON manifest ({error}).") from error
        if not isinstance(documents, dict) or not all(
            isinstance(sha, str) and isinstance(text, str) for sha, text in documents.items()
        ):
            raise CommandError(f"{path}: a manifest maps each hash to its document's text.")
        return documents

    def written_and_printed(self, path):
        """The query as written (curl) and as a client prints it (graphql-core prints
        as graphql-js does)."""
        written = path.read_text(encoding="utf-8")
        try:
            printed = print_ast(parse(written))
        except GraphQLSyntaxError as error:
            raise CommandError(f"{path}: {error.message}") from error
        return {sha256_of(text): text for text in (written, printed)}
