"""The news list's index, now declared in NewsPage.Meta. It was created in raw SQL by
the API app's migration cms.0002_read_indexes, which every database has run: only
Django's record of it is added here."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0002_governance"),
        ("cms", "0002_read_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="newspage",
                    index=models.Index(
                        fields=["-date", "-page_ptr"], name="news_newspage_date_pk_desc"
                    ),
                ),
            ],
        ),
    ]
