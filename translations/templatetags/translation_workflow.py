from django import template

from translations.outdated import page_is_outdated
from translations.sign_off import SUBMIT

register = template.Library()


@register.inclusion_tag("translations/sign_off_bar.html", takes_context=True)
def translation_sign_off_bar(context, instance):
    """Above wagtail-localize's editor of a page's translation: whether it is out of date,
    where it is in sign-off, and "Submit for sign-off" for those who may submit it."""
    request = context["request"]
    state = instance.current_workflow_state
    return {
        "outdated": page_is_outdated(instance),
        "state": state,
        "may_submit": instance.permissions_for_user(request.user).can_submit_for_moderation(),
        "submit": SUBMIT,
        "csrf_token": context.get("csrf_token"),
    }
