# Wagtail's recipe for making existing models translatable: every row already there is
# given the source language's locale and a translation key of its own.
from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [("home", "0007_translatable_bootstrap")]

    operations = [
        BootstrapTranslatableModel("home.Testimonial"),
        BootstrapTranslatableModel("home.Inspection"),
        BootstrapTranslatableModel("home.InspectionHighlight"),
        BootstrapTranslatableModel("home.Stat"),
        BootstrapTranslatableModel("home.HomePageTestimonial"),
    ]
