"""Indexes the API's reads of long lists use, so that their cost does not grow with the
content (measured by `make bench`):

- the news list's ORDER BY (`-date`, `-pk`: news/schema.py): a page of it is read from
  the index in order instead of sorting every news page (page 1 of 25 at 10,000 news
  pages read 10,000 rows, now 25);
- on PostgreSQL, a page's id as text: Wagtail's search joins a page to its index entry
  on `object_id = id::varchar(50)` (the entry's id is text), which no other index
  serves, so every search read every page (6 ms at 10,000 pages); now one lookup per
  match ranked.

In this app rather than news or wagtailcore: they serve the API's queries, not the
models.
"""

from django.db import migrations

NEWS_ORDER = "news_newspage_date_pk_desc"
PAGE_ID_AS_TEXT = "cms_page_id_as_text"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_persisted_query"),
        ("news", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NEWS_ORDER} "
            "ON news_newspage (date DESC, page_ptr_id DESC)",
            reverse_sql=f"DROP INDEX IF EXISTS {NEWS_ORDER}",
        ),
        migrations.RunPython(
            on_postgresql(
                f"CREATE INDEX IF NOT EXISTS {PAGE_ID_AS_TEXT} "
                "ON wagtailcore_page ((id::varchar(50)))"
            ),
            on_postgresql(f"DROP INDEX IF EXISTS {PAGE_ID_AS_TEXT}"),
        ),
    ]
