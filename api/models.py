"""What the request path keeps in the database."""

from django.db import models


class PersistedQuery(models.Model):
    """A GraphQL document known by the SHA-256 of its text: registered by a client with
    Apollo's automatic persisted queries, or trusted (imported by `register_documents`
    from a front end's manifest or docs/queries/)."""

    sha256 = models.CharField(max_length=64, unique=True)
    query = models.TextField()
    trusted = models.BooleanField(
        default=False, help_text="Registered by the council, not by a client's request."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.sha256

    class Meta:
        verbose_name = "persisted query"
