"""Build the Southwark site from home/content/southwark.toml.

Idempotent: each item is created once, in its own transaction together with a
LoadedContent record of its key. A rerun skips every recorded key, so it creates
nothing twice and never overwrites an editor's change; a run killed half way is
completed by the next.
"""

import io
import tomllib
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from home.models import HomePage, LoadedContent

CONTENT_FILE = Path(__file__).resolve().parents[2] / "content" / "southwark.toml"
IMAGE_COLLECTION = "Southwark content"


class Command(BaseCommand):
    help = "Load the Southwark Children's Services content. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CONTENT_FILE, help="Content to load.")

    def handle(self, *args, file, **options):
        try:
            content = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error

        steps = [
            *((item, self.create_image) for item in content.get("images", [])),
            *((item, self.create_snippet) for item in content.get("snippets", [])),
            *((item, self.create_setting) for item in content.get("settings", [])),
            *((item, self.create_page) for item in content.get("pages", [])),
        ]
        loaded = set(LoadedContent.objects.values_list("key", flat=True))
        created = 0
        for number, (item, create) in enumerate(steps, start=1):
            key = item["key"]
            progress = f"[{number}/{len(steps)}] {key}"
            if key in loaded:
                self.stdout.write(f"{progress}: already loaded, left as it is")
                continue
            with transaction.atomic():
                obj = create(item)
                LoadedContent.objects.create(
                    key=key, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
                )
            created += 1
            self.stdout.write(self.style.SUCCESS(f"{progress}: created"))
            for assumption in item.get("assumptions", []):
                self.stdout.write(f"    assumption: {assumption}")

        self.stdout.write(
            self.style.SUCCESS(
                f"Southwark content: {created} created, {len(steps) - created} already loaded."
            )
        )

    # Images -------------------------------------------------------------------------------

    def create_image(self, item):
        collection = _image_collection()
        image = get_image_model()(
            title=item["title"],
            description=item["alt"],
            collection=collection,
            file=ImageFile(_draw_image(item), name=f"{item['key'].split(':')[1]}.png"),
        )
        image.save()
        return image

    # Snippets and settings ----------------------------------------------------------------

    def create_snippet(self, item):
        model = apps.get_model(item["model"])
        snippet = model(**self.resolve(item["fields"]))
        for relation, rows in item.get("inline", {}).items():
            setattr(snippet, relation, self.inline_rows(model, relation, rows))
        snippet.save()
        snippet.save_revision().publish()
        return snippet

    def create_setting(self, item):
        model = apps.get_model(item["model"])
        setting = model.for_site(Site.objects.get(is_default_site=True))
        for name, value in self.resolve(item["fields"]).items():
            setattr(setting, name, value)
        setting.full_clean()
        setting.save()
        return setting

    # Pages --------------------------------------------------------------------------------

    def create_page(self, item):
        model = apps.get_model(item["model"])
        fields = self.resolve(item.get("fields", {}))
        if "body" in item:
            fields["body"] = self.resolve(item["body"], as_id=True)

        if item["path"] == "/":
            # The home page comes from a migration (it is the default site's root):
            # fill it in rather than create a second one.
            page = HomePage.objects.get(pk=Site.objects.get(is_default_site=True).root_page_id)
            page.title = item["title"]
            for name, value in fields.items():
                setattr(page, name, value)
        else:
            parent_path, slug = item["path"].rstrip("/").rsplit("/", 1)
            page = model(title=item["title"], slug=slug, **fields)

        for relation, rows in item.get("inline", {}).items():
            setattr(page, relation, self.inline_rows(model, relation, rows))
        if item.get("tags"):
            page.tags.set(item["tags"])

        if page.pk is None:
            self.page_at(parent_path + "/").add_child(instance=page)
        page.full_clean()
        page.save_revision().publish()
        return page

    def page_at(self, path):
        site = Site.objects.get(is_default_site=True)
        url_path = site.root_page.url_path + path.lstrip("/")
        try:
            return Page.objects.get(url_path=url_path).specific
        except Page.DoesNotExist as error:
            raise CommandError(f"No page at {path} to add children to.") from error

    # Helpers ------------------------------------------------------------------------------

    def inline_rows(self, model, relation, rows):
        """Inline rows in the data's order (the admin's InlinePanel numbers them as it
        saves; assigned in code, they must be numbered here)."""
        row_model = model._meta.get_field(relation).related_model
        return [
            row_model(**self.resolve(row), sort_order=position) for position, row in enumerate(rows)
        ]

    def resolve(self, value, as_id=False):
        """Replace every `{ ref = "KEY" }` with the object loaded under KEY.

        StreamField blocks store chosen pages and images by id, hence `as_id`.
        """
        if isinstance(value, list):
            return [self.resolve(v, as_id) for v in value]
        if isinstance(value, dict):
            if set(value) == {"ref"}:
                obj = _loaded_object(value["ref"])
                return obj.pk if as_id else obj
            return {k: self.resolve(v, as_id) for k, v in value.items()}
        return value


def _loaded_object(key):
    try:
        record = LoadedContent.objects.get(key=key)
    except LoadedContent.DoesNotExist as error:
        raise CommandError(f"{key} is referred to before it is loaded.") from error
    model = record.content_type.model_class()
    return model.objects.filter(pk=record.object_id).first()


def _image_collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=IMAGE_COLLECTION).first()
    return existing or root.add_child(name=IMAGE_COLLECTION)


def _draw_image(item, size=(1200, 675)):
    """A plain banner (or, with shape = "circle", an icon) drawn with Pillow: no network."""
    if item.get("shape") == "circle":
        size = (320, 320)
    picture = PILImage.new("RGB", size, item["colour"])
    draw = ImageDraw.Draw(picture)
    if item.get("shape") == "circle":
        draw.ellipse((60, 60, 260, 260), fill="white")
    if item.get("text"):
        font = ImageFont.load_default(size=64)
        draw.text((size[0] // 2, size[1] // 2), item["text"], fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer
