"""generate_demo_news: demo pages that make a valid, searchable tree; and the benchmark's
scripts, checked without running them."""

import importlib.util
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from news.models import NewsIndexPage, NewsPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"
QUERIES_DIR = Path(__file__).resolve().parents[1] / "docs" / "queries"


def generate(*args):
    out = io.StringIO()
    call_command("generate_demo_news", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def demo_pages():
    return NewsPage.objects.filter(slug__startswith="demo-")


def assert_tree_is_valid():
    assert all(problems == [] for problems in Page.find_problems())
    out = io.StringIO()
    call_command("fixtree", "--noinput", stdout=out)
    assert out.getvalue().count("No problems found.") == 2, out.getvalue()


def test_adds_live_news_pages_with_images_tags_and_a_body():
    before = NewsPage.objects.count()
    assert "Added 25 demo news pages" in generate("--count", "25", "--seed", "1")

    pages = list(demo_pages().live().public())
    assert len(pages) == 25
    assert NewsPage.objects.count() == before + 25
    index_page = NewsIndexPage.objects.get()
    assert index_page.numchild == before + 25
    for page in pages:
        assert page.get_parent().pk == index_page.pk
        assert page.url == f"/news/{page.slug}/"
        assert page.hero_image is not None
        tags = [tag.name for tag in page.tags.all()]
        assert "Demo" in tags
        assert 2 <= len(tags) <= 4
        assert {"paragraph", "heading", "quote", "list"} <= {b.block_type for b in page.body}
        assert "Demo content" in page.body[-1].render()
        assert page.live_revision_id == page.latest_revision_id is not None
        assert page.get_latest_revision_as_object().title == page.title
        assert not page.has_unpublished_changes
    assert len({page.date.year for page in pages}) > 1
    assert_tree_is_valid()


def test_a_second_run_adds_as_many_again_with_new_slugs():
    generate("--count", "25", "--seed", "1")
    first = set(demo_pages().values_list("slug", flat=True))
    generate("--count", "25", "--seed", "1")
    slugs = list(demo_pages().values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 50
    assert first < set(slugs)
    assert_tree_is_valid()


def test_the_same_seed_composes_the_same_pages():
    generate("--count", "5", "--seed", "7")
    generate("--count", "5", "--seed", "7")
    titles = list(demo_pages().order_by("path").values_list("title", flat=True))
    assert titles[:5] == titles[5:]


def test_the_pages_are_searchable_unless_told_not_to_index():
    generate("--count", "3", "--seed", "3")
    page = demo_pages().first()
    assert page in NewsPage.objects.live().search(page.title)

    generate("--count", "3", "--seed", "4", "--no-index")
    unindexed = demo_pages().order_by("-path").first()
    assert unindexed not in NewsPage.objects.live().search(unindexed.title)


def test_count_must_be_a_positive_number():
    with pytest.raises(CommandError):
        generate("--count", "0")
    with pytest.raises(CommandError):
        generate()


# The benchmark (`make bench`) is not run by the suite: check that its parts are there.


def load_bench_runner():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH_DIR / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_runner_parses_its_options_and_finds_its_files():
    runner = load_bench_runner()
    defaults = runner.parse_args([])
    assert (defaults.duration, defaults.threads, defaults.connections) == (10, 2, 16)
    options = runner.parse_args(["--duration", "3", "--connections", "4", "--sqlite"])
    assert (options.duration, options.connections, options.sqlite) == (3, 4, True)

    lua = (BENCH_DIR / "wrk.lua").read_text()
    assert "function request()" in lua
    assert "function done(" in lua
    assert runner.NONCE in lua
    for name in runner.QUERY_FILES:
        assert (QUERIES_DIR / name).is_file()


def test_bench_graphql_core_floor_runs_the_lists_the_app_is_timed_on():
    """The floor is only evidence if it runs the very selections field-costs times."""
    spec = importlib.util.spec_from_file_location("bench_inprocess", BENCH_DIR / "inprocess.py")
    inprocess = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(inprocess)

    floor = inprocess.graphql_core_floor(repeat=1)

    assert set(floor) == {"plain", "all (news-items.graphql)"}
    assert floor["all (news-items.graphql)"] > floor["plain"] > 0
