"""Every community language: the content languages are configuration, every page type,
snippet and inline item is translatable, the loader invents no translation, and a
database made before translations migrates without loss."""

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, TranslatableMixin, get_page_models

from cms.settings.base import DEFAULT_CONTENT_LANGUAGES, content_languages
from home import models as home_models
from principles.models import Benefit, CouncilPlanAction, MissionStatement, Priority
from tests.support.content import load_southwark_content

Inspection, InspectionHighlight, Stat = (
    home_models.Inspection,
    home_models.InspectionHighlight,
    home_models.Stat,
)
SNIPPETS_AND_INLINE_ITEMS = (
    home_models.Testimonial,
    Inspection,
    InspectionHighlight,
    Stat,
    home_models.HomePageTestimonial,
    MissionStatement,
    CouncilPlanAction,
    Priority,
    Benefit,
)


def test_the_development_default_is_the_source_and_three_more_one_right_to_left(settings):
    codes = [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES]
    assert codes[0] == "en-gb" == settings.LANGUAGE_CODE
    assert len(codes) >= 4 and DEFAULT_CONTENT_LANGUAGES[0] == "en-GB"
    assert any(get_language_info(code)["bidi"] for code in codes)
    assert (
        settings.WAGTAIL_I18N_ENABLED and settings.LANGUAGES == settings.WAGTAIL_CONTENT_LANGUAGES
    )


def test_the_languages_are_configuration_named_by_bcp_47_tags():
    assert content_languages(["en-GB", "fr", "FR", "so:Soomaali"]) == [
        ("en-gb", "British English"),
        ("fr", "français"),
        ("so", "Soomaali"),
    ]
    with pytest.raises(ImproperlyConfigured, match="begin with the source language, en-GB"):
        content_languages(["es", "en-GB"])
    with pytest.raises(ImproperlyConfigured, match="begin with the source"):
        content_languages([])
    with pytest.raises(ImproperlyConfigured, match="no language 'xx': give its name too"):
        content_languages(["en-GB", "xx"])


def test_every_page_type_snippet_and_inline_item_is_translatable():
    for model in get_page_models():  # Page's own table holds its locale and key
        assert issubclass(model, TranslatableMixin), model
    for model in SNIPPETS_AND_INLINE_ITEMS:
        assert issubclass(model, TranslatableMixin), model
        assert ("translation_key", "locale") in model._meta.unique_together, model


@pytest.mark.django_db
def test_the_content_loader_creates_no_translation():
    load_southwark_content()
    source = Locale.get_default()
    assert source.language_code == "en-gb"
    assert set(Page.objects.filter(depth__gt=1).values_list("locale", flat=True)) == {source.pk}
    for model in SNIPPETS_AND_INLINE_ITEMS:
        assert set(model.objects.values_list("locale", flat=True)) <= {source.pk}, model
    assert (
        home_models.Testimonial.objects.exists()
        and Inspection.objects.exists()
        and Stat.objects.exists()
    )
    # The translation keys are each item's own: nothing shares one yet.
    keys = list(home_models.Testimonial.objects.values_list("translation_key", flat=True))
    assert len(set(keys)) == len(keys)


BEFORE = [("home", "0006_block_labels_and_help"), ("principles", "0003_block_labels_and_help")]


def _child_page(historical, model_name, parent, number, **fields):
    """A page made with the historical models, under `parent` (no treebeard there)."""
    ContentType = historical.get_model("contenttypes", "ContentType")  # noqa: N806
    model = historical.get_model(*model_name.split("."))
    content_type, _ = ContentType.objects.get_or_create(
        app_label=model._meta.app_label, model=model._meta.model_name
    )
    slug = f"before-{number}"
    return model.objects.create(
        title=slug,
        draft_title=slug,
        slug=slug,
        content_type=content_type,
        locale_id=parent.locale_id,
        path=f"{parent.path}{9990 + number:04d}",
        depth=parent.depth + 1,
        url_path=f"{parent.url_path}{slug}/",
        live=True,
        **fields,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_made_before_translations_migrates_without_loss():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    historical = executor.loader.project_state(BEFORE).apps
    model = historical.get_model
    home = model("home", "HomePage").objects.get(depth=2)
    testimonial = model("home", "Testimonial").objects.create(
        quote="Before", attribution="An adopter", live=True
    )
    inspection = model("home", "Inspection").objects.create(
        inspectorate="Ofsted", published_on="2017-06-14", overall_rating="Good", summary="S"
    )
    model("home", "InspectionHighlight").objects.create(
        inspection=inspection, text="Adoption: outstanding", sort_order=0
    )
    model("home", "Stat").objects.create(page=home, value="320,000+", label="people", sort_order=0)
    model("home", "HomePageTestimonial").objects.create(
        page=home, testimonial=testimonial, sort_order=0
    )
    vision = _child_page(historical, "principles.VisionPage", home, 1, vision_statement="V")
    for name, fields in (
        ("MissionStatement", {"title": "Putting Children First", "description": "D"}),
        ("CouncilPlanAction", {"text": "A bold action"}),
        ("Priority", {"title": "Best Start", "description": "D"}),
    ):
        model("principles", name).objects.create(page=vision, sort_order=0, **fields)
    benefits = _child_page(historical, "principles.BenefitsPage", home, 2)
    model("principles", "Benefit").objects.create(
        page=benefits, title="Pay", description="D", category="pay", sort_order=0
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    source = Locale.get_default()
    for translatable in SNIPPETS_AND_INLINE_ITEMS:
        rows = list(translatable.objects.all())
        assert rows, translatable
        for row in rows:
            assert row.locale_id == source.pk and isinstance(row.translation_key, uuid.UUID)
    assert home_models.Testimonial.objects.get().quote == "Before"
    assert InspectionHighlight.objects.get().inspection.summary == "S"
    assert Stat.objects.get().page.specific.stats.get().label == "people"
    assert MissionStatement.objects.get().title == "Putting Children First"
    assert Benefit.objects.get().category == "pay"
