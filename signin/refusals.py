"""Why a sign-in was refused, in plain words for the person refused (and a code for the
record). Each reason is raised as `SignInRefused(reason)` by the step that found it and
turned into one page by the sign-in views: never a 500, nothing made or changed."""

# code: (HTTP status of the page, what the person is told)
REASONS = {
    "state": (
        400,
        "This sign-in did not start here, or its link has already been used. Go back to "
        "the sign-in page and start again.",
    ),
    "nonce": (
        400,
        "The council's sign-in service answered for a different sign-in than this one. "
        "Go back to the sign-in page and start again.",
    ),
    "code_refused": (
        400,
        "The council's sign-in service would not confirm this sign-in (it may have taken "
        "too long, or been used already). Go back to the sign-in page and start again.",
    ),
    "bad_signature": (
        400,
        "The answer from the sign-in service was not signed with the council's key, so it "
        "was not trusted.",
    ),
    "wrong_audience": (
        400,
        "The answer from the sign-in service was meant for another application, not this CMS.",
    ),
    "wrong_issuer": (
        400,
        "The answer came from a sign-in service other than the council's.",
    ),
    "expired": (
        400,
        "The answer from the sign-in service had expired. Check that this computer's clock "
        "is right, then start again.",
    ),
    "not_yet_valid": (
        400,
        "The answer from the sign-in service is not valid yet: a clock is wrong. Check that "
        "this computer's clock is right, then start again.",
    ),
    "unsupported_algorithm": (
        400,
        "The answer from the sign-in service was signed in a way this CMS does not accept.",
    ),
    "invalid_token": (
        400,
        "The answer from the sign-in service was not a valid sign-in.",
    ),
    "provider_error": (
        400,
        "The council's sign-in service did not sign you in. Go back to the sign-in page and "
        "try again; if it keeps happening, ask the IT service desk.",
    ),
    "provider_unreachable": (
        502,
        "The council's sign-in service could not be reached. Try again in a few minutes; if "
        "it keeps happening, ask the IT service desk.",
    ),
    "provider_garbage": (
        502,
        "The council's sign-in service gave an answer this CMS could not read. Try again "
        "in a few minutes; if it keeps happening, ask the IT service desk.",
    ),
    "no_mapped_group": (
        403,
        "You signed in, but you are not in any group that gives access to the CMS, so no "
        "CMS account was made or used. Ask your manager to request access for you.",
    ),
    "username_taken": (
        403,
        "A CMS account with your name already exists and is not linked to your council "
        "account. Ask a CMS administrator to sort it out.",
    ),
    "no_account": (
        403,
        "Your council account could not be matched to one CMS account. Ask a CMS administrator.",
    ),
    "inactive": (
        403,
        "Your CMS account is switched off. Ask a CMS administrator.",
    ),
}


class SignInRefused(Exception):
    """A sign-in refused for `reason` (a key of REASONS); `username` is who tried, where
    known (for the record)."""

    def __init__(self, reason, username=""):
        super().__init__(reason)
        self.reason = reason
        self.username = username

    @property
    def status(self):
        return REASONS[self.reason][0]

    @property
    def message(self):
        return REASONS[self.reason][1]
