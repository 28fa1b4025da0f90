# Wagtail's recipe for making existing models translatable: every row already there is
# given the source language's locale and a translation key of its own.
from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [("principles", "0004_translatable_bootstrap")]

    operations = [
        BootstrapTranslatableModel("principles.MissionStatement"),
        BootstrapTranslatableModel("principles.CouncilPlanAction"),
        BootstrapTranslatableModel("principles.Priority"),
        BootstrapTranslatableModel("principles.Benefit"),
    ]
