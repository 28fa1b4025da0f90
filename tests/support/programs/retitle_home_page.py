"""Retitle the home page "Published elsewhere" and publish it, from another process.

    python -m tests.support.programs.retitle_home_page

No arguments: the database and cache are the environment's (tests/test_response_cache.py
points them at its own, to see a publish made by another process).
"""


def main():
    import django

    django.setup()
    from home.models import HomePage

    page = HomePage.objects.get()
    page.title = "Published elsewhere"
    page.save_revision().publish()


if __name__ == "__main__":
    main()
