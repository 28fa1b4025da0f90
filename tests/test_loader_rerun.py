"""load_southwark_content run again over loaded content: nothing twice, editors' changes kept."""

import pytest
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from home import models as home_models
from home.models import Inspection, LoadedContent
from principles.models import PrinciplePage
from tests.support.content import load_southwark_content
from tests.support.factories import publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "testimonials": home_models.Testimonial.objects.count(),
        "inspections": Inspection.objects.count(),
        "records": LoadedContent.objects.count(),
    }


def test_a_second_run_creates_nothing():
    before = counts()
    output = load_southwark_content()
    assert counts() == before
    assert "0 created, 28 already loaded" in output


def test_an_editors_change_survives_a_rerun():
    principle = PrinciplePage.objects.get(slug="fair")
    principle.summary = "Edited by an editor."
    publish(principle)
    home_models.Testimonial.objects.filter(attribution="Social Worker").delete()

    load_southwark_content()

    assert PrinciplePage.objects.get(slug="fair").summary == "Edited by an editor."
    assert not home_models.Testimonial.objects.filter(attribution="Social Worker").exists()
