"""Rich text as the APIs serve it: without the editor's internals.

Wagtail's editor keys every paragraph (`<p data-block-key="9pooa">`) to track it between
edits; the key means nothing to a front end and changes when an editor retypes a
paragraph, so GraphQL and REST leave it out here. (The feeds serve only plain text.)
"""

import re

# Only inside a tag: text is stored escaped, so a `<` starts a tag.
BLOCK_KEY = re.compile(r'(<[a-zA-Z][^<>]*?)\s+data-block-key="[^"]*"')


def without_editor_attributes(html):
    return BLOCK_KEY.sub(r"\1", html)
