"""One change pipeline (core/changes.py): each change worked out once and handed to
governance, then to what it retires, then to the events; and what it retires
(core/retirements.py) applied until it succeeds, when the shared cache or the CDN is
out of reach as the change commits."""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import changes, content_version, retirements
from core.models import Retirement
from news.models import NewsPage
from tests.support.factories import NewsPageFactory, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

NEWS_TITLES = "{ newsItems(perPage: 100) { items { title } } }"


@pytest.fixture
def handed():
    """What each stage is handed, in the order it is handed it."""
    seen = []
    handlers = {
        stage: (lambda change, stage=stage: seen.append((stage, change)))
        for stage in changes.STAGES
    }
    for stage, handler in handlers.items():
        changes.subscribe(stage, handler)
    yield seen
    for stage, handler in handlers.items():
        changes.unsubscribe(stage, handler)


def test_a_publish_is_worked_out_once_and_handed_to_each_stage_in_order(handed, committed):
    page = NewsPageFactory(title="Adoption week")
    committed(lambda: publish(page))
    published = [(stage, change) for stage, change in handed if change.event == "page.published"]
    assert [stage for stage, _ in published] == ["governance", "retirement", "events"]
    change = published[0][1]
    assert all(each is change for _, each in published)  # one description for all
    assert {f"page:{page.pk}", "list:news.newspage", "list:pages"} <= change.keys
    assert change.url_path == f"/news/{page.slug}/"
    assert change.change == "major"  # a first publish


def test_a_page_no_reader_could_see_makes_no_event_but_still_retires_its_keys(handed, committed):
    page = NewsPageFactory(title="Draft parent's child")
    page.get_parent().specific.unpublish()
    committed(lambda: publish(page))
    change = next(change for _, change in handed if change.event == "page.published")
    assert change.url_path is None  # behind an unpublished page
    assert f"page:{page.pk}" in change.keys


def answer(client):
    response = client.get("/graphql/", {"query": NEWS_TITLES})
    return [item["title"] for item in response.json()["data"]["newsItems"]["items"]]


def test_a_change_the_shared_cache_could_not_take_is_retired_when_it_returns(
    client, committed, caplog
):
    page = NewsPage.objects.live().first()
    answer(client)  # kept
    original_set = cache.set

    def refused(key, *args, **kwargs):
        if key == content_version.VERSION_KEY:
            raise ConnectionError("the shared cache refuses this process")
        return original_set(key, *args, **kwargs)

    page.title = "Retitled while the cache was away"
    with mock.patch.object(cache, "set", refused), caplog.at_level(logging.ERROR, "cms.cache"):
        committed(lambda: publish(page))
    assert "Could not retire" in caplog.text
    waiting = waiting_for(page)
    assert (waiting.step, waiting.failures) == (Retirement.Step.RETIRE, 1)
    # Meanwhile this process trusts nothing it kept: the change already shows here.
    assert content_version.read() is None
    assert "Retitled while the cache was away" in answer(client)

    Retirement.objects.update(due_at=timezone.now())  # its retry falls due
    retirements.apply_due.call()  # as the worker runs it
    assert not Retirement.objects.filter(step=Retirement.Step.RETIRE).exists()
    assert content_version.read() is not None
    assert "Retitled while the cache was away" in answer(client)


def test_the_worker_leaves_a_change_to_the_process_that_made_it_until_its_hold_lapses(
    django_capture_on_commit_callbacks,
):
    """A worker whose task runs between the commit and the changing process taking its
    retirement finds nothing due: the change's own process retires it, as it commits."""
    with django_capture_on_commit_callbacks() as taken_on_commit:
        page = publish(NewsPageFactory(title="Fostering fortnight"))
    retirements.apply_due.call()  # the worker, first
    held = waiting_for(page)
    assert (held.step, held.failures) == (Retirement.Step.RETIRE, 0)
    assert held.due_at > timezone.now() + timedelta(seconds=retirements.CLAIM_SECONDS)

    for callback in taken_on_commit:
        callback()
    assert not [each for each in Retirement.objects.all() if f"page:{page.pk}" in each.keys]


def test_a_retry_waits_longer_each_time_it_fails_up_to_a_minute(committed, monkeypatch):
    monkeypatch.setitem(retirements.STEPS, Retirement.Step.RETIRE, fail)
    page = committed(lambda: publish(NewsPageFactory(title="Fostering fortnight")))
    waits = []
    for _ in range(9):
        Retirement.objects.update(due_at=timezone.now())
        before = timezone.now()
        retirements.apply_due.call()
        waits.append(round((waiting_for(page).due_at - before) / timedelta(seconds=1)))
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60, 60]


def waiting_for(page):
    (waiting,) = [each for each in Retirement.objects.all() if f"page:{page.pk}" in each.keys]
    return waiting


def fail(keys):
    raise ConnectionError("out of reach")


# Changes made together (core/changes.py: together) ------------------------------------------


def test_changes_made_together_are_handed_on_as_one_group_when_the_block_ends(handed):
    first, second = NewsPageFactory(), NewsPageFactory()
    with changes.together("a release", "release.published") as group:
        publish(first)
        publish(second)
        assert handed == []  # nothing is handed on inside the block
    # A handler without one for groups is handed each change of it, in turn, by stage.
    published = [(stage, change.instance) for stage, change in handed if change.event]
    assert published == [
        ("governance", first),
        ("governance", second),
        ("retirement", first),
        ("retirement", second),
        ("events", first),
        ("events", second),
    ]
    assert all(change.group is group for change in group.changes)
    assert {f"page:{first.pk}", f"page:{second.pk}"} <= group.keys


def test_a_group_is_handed_to_the_stages_handler_for_groups_alone(handed):
    groups = []

    def each(change):
        raise AssertionError("handed a change of a group")

    changes.subscribe("events", each, together=groups.append)
    try:
        with changes.together("a release", "release.published") as group:
            publish(NewsPageFactory())
    finally:
        changes.unsubscribe("events", each)
    assert groups == [group] and group.event == "release.published"
    changes.subscribe("events", each)  # unsubscribed, its handler for groups went with it
    changes.unsubscribe("events", each)
    assert each not in changes._group_handlers


def test_a_block_that_raises_hands_nothing_on_and_groups_do_not_nest(handed):
    with pytest.raises(ValueError), changes.together("a release", "release.published"):
        publish(NewsPageFactory())
        raise ValueError("an item failed")
    assert handed == []
    with (
        pytest.raises(RuntimeError, match="do not nest"),
        changes.together("a release", "release.published"),
        changes.together("another", "release.published"),
    ):
        pass  # pragma: no cover - never reached
    publish(NewsPageFactory())  # after the block, changes are handed on one at a time again
    assert {stage for stage, _ in handed} == set(changes.STAGES)
