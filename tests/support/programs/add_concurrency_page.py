"""Add and publish a StandardPage "Concurrency" under the default site's home page.

    python -m tests.support.programs.add_concurrency_page

No arguments. Prints the new page's id as the last line of stdout.
"""


def main():
    import django

    django.setup()
    from wagtail.models import Site

    from home.models import StandardPage

    home = Site.objects.get(is_default_site=True).root_page
    page = home.add_child(instance=StandardPage(title="Concurrency", slug="concurrency"))
    page.save_revision().publish()
    print(page.pk)


if __name__ == "__main__":
    main()
