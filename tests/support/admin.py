"""Steps an editor takes in Wagtail's admin, in a Playwright page, each done once the
editor sees its outcome: a page listed as live, an image in the library. Never a
message's wording, which changes with the path the admin took.

Playwright is imported when a step runs, so that test modules import without it (their
chromium_path fixture then skips them).
"""

import re

# A page's status tag in the explorer, "live" and nothing more ("live + draft" is not).
LIVE = re.compile(r"\blive\s*$")


def sign_in(page, username, password):
    """Sign in on the admin's login page: done on the dashboard."""
    from playwright.sync_api import expect

    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def publish(page, title):
    """Publish the page titled `title` from its open edit form (the footer's "More
    actions" menu, then Publish): done once the explorer, where the admin goes next,
    lists the page as live.

    (Not the message the admin shows: "created and published" or "has been published"
    depending on whether autosave had created the page before Publish was pressed.)
    """
    from playwright.sync_api import expect

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    listed = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(listed.locator(".w-status")).to_have_text(LIVE)


def upload_image(page, file, title, description):
    """Upload `file` (Playwright's file payload) to the image library with this title
    (at most 60 characters: the library cuts longer ones) and alt text: done once the
    library lists it. Returns the image's id."""
    from playwright.sync_api import expect

    page.goto("/admin/images/add/")
    page.locator("#id_file").set_input_files(files=[file])
    page.locator("#id_title").fill(title)
    page.locator("#id_description").fill(description)
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/admin/images/(\?.*)?$"))
    listed = page.locator('a[href*="/admin/images/"]').filter(has_text=title)
    expect(listed).to_be_visible()
    return re.search(r"/images/(\d+)/", listed.get_attribute("href"))[1]
