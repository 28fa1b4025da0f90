"""The admin's "Import from Word" form: a .docx becomes a draft news page
(news/word_import.py), and the editor lands on its edit page to review it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from .models import NewsPage
from .word_import import ImportRefused, import_press_release, upload_limit

DOCX_TYPES = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def may_import_under(parent, user):
    """Whether `user` may add a news page under `parent`, as the admin's "Add child page"
    asks: the import adds one."""
    return NewsPage.can_create_at(parent) and parent.permissions_for_user(user).can_add_subpage()


class ImportFromWordForm(forms.Form):
    document = forms.FileField(
        label="Press release (.docx)",
        help_text="A Word document. Its Title (or first Heading 1) is the page's title; see "
        "“For editors” in the README for what else is read.",
        widget=forms.ClearableFileInput(attrs={"accept": DOCX_TYPES}),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        # Checked before the file is read (the upload is already on disk, not in memory).
        if document.size > upload_limit():
            raise forms.ValidationError(
                f"The file is {filesizeformat(document.size)}: the largest that can be "
                f"imported is {filesizeformat(upload_limit())}."
            )
        return document


class ImportFromWordView(WagtailAdminTemplateMixin, FormView):
    form_class = ImportFromWordForm
    template_name = "news/admin/import_from_word.html"
    page_title = "Import a press release from Word"
    header_icon = "doc-full"

    def dispatch(self, request, parent_id):
        self.parent = get_object_or_404(Page, id=parent_id).specific
        if not may_import_under(self.parent, request.user):
            raise PermissionDenied
        return super().dispatch(request, parent_id)

    def get_page_subtitle(self):
        return f"Into “{self.parent.get_admin_display_title()}”"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_explore", args=[self.parent.id]),
                "label": self.parent.get_admin_display_title(),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action_url=reverse("news_import_from_word", args=[self.parent.id]),
            submit_button_label="Import as a draft",
            submit_button_active_label="Importing…",
            upload_limit=upload_limit(),
            **kwargs,
        )

    def form_invalid(self, form):
        # A refused file is the client's error: 400, with the form saying why.
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        document = form.cleaned_data["document"]
        try:
            page, notes = import_press_release(
                document.name, document.read(), self.parent, self.request.user
            )
        except ImportRefused as refusal:
            form.add_error("document", str(refusal))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"“{page.title}” was imported from Word as a draft. Review it, then submit it "
            "for sign-off: nothing is published until it is approved.",
        )
        for note in notes:
            messages.warning(self.request, note)
        return redirect("wagtailadmin_pages:edit", page.id)
