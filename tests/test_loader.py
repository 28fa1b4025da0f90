"""load_southwark_content on an empty site: progress, resuming after a crash, bad input."""

import pytest
from django.core.management import CommandError
from wagtail.models import Page

from home.management.commands.load_southwark_content import Command
from home.models import LoadedContent
from tests.support.content import load_southwark_content

pytestmark = pytest.mark.django_db


def test_the_first_run_shows_progress_and_assumptions():
    output = load_southwark_content()
    assert "[1/28] image:principle-icon: created" in output
    assert "[28/28] page:/news/london-social-work-for-children/: created" in output
    assert "assumption: Seed 004 gives no date" in output
    assert "28 created, 0 already loaded" in output
    assert Page.objects.filter(depth__gt=1).count() == 16


def test_a_run_killed_half_way_is_completed_by_the_next(monkeypatch):
    real_create_page = Command.create_page

    def die_at_the_about_page(self, item):
        if item["key"] == "page:/about/":
            raise KeyboardInterrupt
        return real_create_page(self, item)

    monkeypatch.setattr(Command, "create_page", die_at_the_about_page)
    with pytest.raises(KeyboardInterrupt):
        load_southwark_content()
    assert not Page.objects.filter(slug="about").exists()
    monkeypatch.undo()

    output = load_southwark_content()

    assert "already loaded" in output and "page:/about/: created" in output
    assert Page.objects.filter(depth__gt=1).count() == 16
    assert LoadedContent.objects.count() == 28
    assert Page.objects.filter(slug="about").count() == 1


def test_unreadable_content_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[pages]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        load_southwark_content(file=broken)


def test_inline_items_keep_the_order_of_the_data():
    from home.models import HomePageTestimonial, InspectionHighlight, Stat
    from principles.models import Benefit, CouncilPlanAction, MissionStatement, Priority

    load_southwark_content()
    for model in (
        Stat,
        HomePageTestimonial,
        InspectionHighlight,
        MissionStatement,
        CouncilPlanAction,
        Priority,
        Benefit,
    ):
        assert not model.objects.filter(sort_order__isnull=True).exists(), model
    assert list(Stat.objects.values_list("label", flat=True)) == [
        "people",
        "languages spoken",
        "council homes",
        "businesses",
    ]
