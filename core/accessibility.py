"""Accessibility: the WCAG rules the site is held to, and Wagtail's checker set to them.

Public sector websites must meet WCAG 2.2 AA (the Public Sector Bodies Accessibility
Regulations 2018). axe-core names its rules for each WCAG version and level by tag;
WCAG_TAGS are those of 2.0, 2.1 and 2.2 at A and AA (2.2 added no level A rule that axe
checks). tests/test_accessibility.py runs axe-core with them over every page type, and
the admin's checker (the editor's Checks panel, over the preview, and the userbar on the
site) runs them too, through WCAGContentCheckerItem, which core/wagtail_hooks.py puts in
place of Wagtail's own. What editors build is checked as they save: home/blocks.py.

The Checks panel checks the preview the preview panel shows, and reads it through the
userbar the previewed page carries: only "This site's templates" has one (the "Front end"
preview is the front end's page, in a frame of another origin). So opening Checks turns
the preview to that mode (checks_this_sites_templates).
"""

from django.utils.safestring import mark_safe
from wagtail.admin.userbar import ContentCheckerItem

from core.preview import FRONT_END

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class WCAGContentCheckerItem(ContentCheckerItem):
    """Wagtail's content checker, running every WCAG A and AA rule of axe-core.

    Wagtail's own short list of rules (skipped heading levels, empty links and buttons,
    alt text that is a file name, ...) stays on beside them: axe runs the rules of the
    tags in `runOnly` and, in addition, those `rules` enables.
    """

    axe_run_only = WCAG_TAGS
    axe_rules = {rule: {"enabled": True} for rule in ContentCheckerItem.axe_run_only}


def check_wcag(request, items, page):
    """A `construct_wagtail_userbar` hook: Wagtail's checker replaced by the WCAG one,
    wherever Wagtail puts it (the userbar, the preview panel's, the editor's Checks)."""
    items[:] = [
        WCAGContentCheckerItem(in_editor=item.in_editor)
        if isinstance(item, ContentCheckerItem)
        else item
        for item in items
    ]


# Wagtail's preview controller runs the checks when the previewed page's userbar posts
# "w-userbar:axe-ready" (runChecks in Wagtail's client/src/controllers/PreviewController.ts,
# wagtailadmin/js/core.js as shipped), and the "Front end" preview has none: opening Checks
# in that mode left the panel at 0 issues and no word count. The mode menu is changed as an
# editor would change it ("change" makes the controller reload the preview in that mode).
CHECKS_PREVIEW_MODE_SCRIPT = f"""<script>
(() => {{
  const start = () => {{
    const checks = document.querySelector('[data-side-panel="checks"]');
    const mode = document.querySelector('[data-w-preview-target="mode"]');
    if (!checks || !mode) return;
    checks.addEventListener("show", () => {{
      if (mode.value !== "{FRONT_END}") return;
      mode.value = "";
      mode.dispatchEvent(new Event("change"));
    }});
  }};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}})();
</script>"""


def checks_this_sites_templates():
    """An `insert_editor_js` hook: opening the Checks panel turns the preview from "Front
    end" to "This site's templates", the preview the checker can read."""
    return mark_safe(CHECKS_PREVIEW_MODE_SCRIPT)  # noqa: S308 - a constant, no input in it
