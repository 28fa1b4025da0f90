"""The roles, and the sign-off workflow over the whole page tree and both snippet types.

Editors create and edit pages, images, documents and snippets and submit them for sign-off;
they cannot publish, unpublish, delete live pages (Wagtail lets only those who may publish
delete a live page) or change settings. Moderators approve and publish, and edit the
settings. Administrators manage users and groups (give one Moderators too to sign off).

Each group's permissions are set to exactly these, so every environment has the same
roles whatever was granted by hand before. Content published before this migration gets
its review-by date: 12 months after it was last published.
"""

from django.db import migrations
from django.utils import timezone

MEDIA = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtailimages.delete_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtaildocs.delete_document",
]
ROLES = {
    "Editors": {
        "permissions": [
            "wagtailadmin.access_admin",
            *MEDIA,
            "home.add_testimonial",
            "home.change_testimonial",
            "home.view_testimonial",
            "home.add_inspection",
            "home.change_inspection",
            "home.view_inspection",
        ],
        "pages": ["add_page", "change_page"],
    },
    "Moderators": {
        "permissions": [
            "wagtailadmin.access_admin",
            *MEDIA,
            *(
                f"home.{action}_{model}"
                for model in ("testimonial", "inspection")
                for action in ("add", "change", "delete", "view", "publish", "lock", "unlock")
            ),
            "home.change_organisationsettings",
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
        ],
        "pages": [
            "add_page",
            "change_page",
            "publish_page",
            "bulk_delete_page",
            "lock_page",
            "unlock_page",
        ],
    },
    "Administrators": {
        "permissions": [
            "wagtailadmin.access_admin",
            *(
                f"auth.{action}_{model}"
                for model in ("user", "group")
                for action in ("add", "change", "delete", "view")
            ),
        ],
        "pages": [],
    },
}
# The collection permissions Wagtail gives its own groups (on the root collection).
COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]
WORKFLOW = "Moderators approval"
SIGNED_OFF_SNIPPETS = [("home", "testimonial"), ("home", "inspection")]


def permission(apps, name):
    """The permission `app_label.codename`, made if missing (those of a new model, and
    Wagtail's publish/lock/unlock for snippets, are otherwise made after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = name.split(".")
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    if found.exists():
        return found.get()
    action, model = codename.split("_", 1)
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return Permission.objects.create(
        content_type=content_type, codename=codename, name=f"Can {action} {model}"
    )


def set_up_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)

    for name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([permission(apps, codename) for codename in role["permissions"]])
        GroupPagePermission.objects.filter(group=group).delete()
        for codename in role["pages"]:
            GroupPagePermission.objects.create(
                group=group, page=root_page, permission=permission(apps, f"wagtailcore.{codename}")
            )
        if role["pages"]:  # the content roles use the media library
            for codename in COLLECTION_PERMISSIONS:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission(apps, codename)
                )


def set_up_sign_off(apps, schema_editor):
    """Wagtail's "Moderators approval" workflow (made by its migrations, and again here if
    it has been deleted), over the page tree's root and both snippet types."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")

    task = GroupApprovalTask.objects.filter(name=WORKFLOW).first()
    if task is None:
        task_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=WORKFLOW, content_type=task_type)
    task.groups.add(Group.objects.get(name="Moderators"))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    WorkflowPage.objects.update_or_create(
        page=Page.objects.get(depth=1), defaults={"workflow": workflow}
    )
    for app_label, model in SIGNED_OFF_SNIPPETS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        WorkflowContentType.objects.update_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )


def a_year_after(day):
    """As governance.models.a_year_after (a migration keeps its own copy)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def date_live_content_for_review(apps, schema_editor):
    """On the row, and in the live and latest revisions (where the next edit starts from),
    as governance.models.save_outside_revisions does."""
    Revision = apps.get_model("wagtailcore", "Revision")
    for model in apps.get_models():
        field_names = {field.name for field in model._meta.get_fields()}
        if not {"review_by", "last_published_at"} <= field_names:
            continue
        due = model.objects.filter(live=True, review_by=None, last_published_at__isnull=False)
        for obj in due:
            review_by = a_year_after(timezone.localdate(obj.last_published_at))
            model.objects.filter(pk=obj.pk).update(review_by=review_by)
            revision_ids = {obj.live_revision_id, obj.latest_revision_id} - {None}
            for revision in Revision.objects.filter(pk__in=revision_ids):
                revision.content["review_by"] = review_by.isoformat()
                revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("home", "0005_governance"),
        ("news", "0002_governance"),
        ("principles", "0002_governance"),
    ]

    operations = [
        migrations.RunPython(set_up_roles, migrations.RunPython.noop),
        migrations.RunPython(set_up_sign_off, migrations.RunPython.noop),
        migrations.RunPython(date_live_content_for_review, migrations.RunPython.noop),
    ]
