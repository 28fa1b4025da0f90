"""Change content from a process of its own, as an editor's change is made: with its own
connections to the database, the shared cache and the CDN.

    python -m tests.support.programs.change_content publish SLUG [TITLE]
        publishes the news page SLUG, titled TITLE if given;
    python -m tests.support.programs.change_content save-image ID
        saves image ID as it is.
"""

import sys


def main(command, *args):
    import django

    django.setup()
    from wagtail.images.models import Image

    from news.models import NewsPage

    if command == "publish":
        slug, *title = args
        page = NewsPage.objects.get(slug=slug)
        if title:
            page.title = title[0]
        page.save_revision().publish()
    elif command == "save-image":
        Image.objects.get(pk=args[0]).save()
    else:
        sys.exit(f"Unknown command: {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
