from wagtail.images.forms import BaseImageForm


class ImageForm(BaseImageForm):
    """Every image must say what it shows: its description is its alt text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "description" in self.fields:
            self.fields["description"].required = True
            self.fields["description"].label = "Alt text"
            self.fields[
                "description"
            ].help_text = "What the image shows, for people who cannot see it. Required."
