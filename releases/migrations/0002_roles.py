"""Editors and Moderators make releases, add drafts to them, schedule and publish them
(each item is signed off on its own first). Nobody deletes one: it is a record."""

from django.db import migrations

ROLES = ("Editors", "Moderators")
PERMISSIONS = ("add_release", "change_release", "view_release")


def permission(apps, codename):
    """As governance's roles migration: made if missing (a new model's permissions are
    otherwise made after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="releases", model="release")
    action = codename.split("_", 1)[0]
    found, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {action} release"}
    )
    return found


def give_roles_releases(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*(permission(apps, codename) for codename in PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0001_initial"),
        ("governance", "0001_roles_and_sign_off"),
    ]

    operations = [migrations.RunPython(give_roles_releases, migrations.RunPython.noop)]
