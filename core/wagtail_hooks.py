from wagtail import hooks

from core.accessibility import check_wcag, checks_this_sites_templates

hooks.register("construct_wagtail_userbar", check_wcag)
hooks.register("insert_editor_js", checks_this_sites_templates)
