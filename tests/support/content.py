"""The Southwark content, as tests load it."""

import io

from django.core.management import call_command


def load_southwark_content(**options):
    """Load the Southwark content as `manage.py load_southwark_content` does, with its
    `options`; return what it printed."""
    out = io.StringIO()
    call_command("load_southwark_content", stdout=out, **options)
    return out.getvalue()
