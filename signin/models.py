"""Who a council account is here (`SignInIdentity`), and the record of every sign-in
(`SignInEvent`), shown in the admin under Reports > Sign-ins."""

from django.conf import settings
from django.db import models


class SignInIdentity(models.Model):
    """The provider's account (issuer and `sub`) a CMS user was made for on their first
    single sign-on. Users are found by it, never by name or e-mail address, so a council
    account can never take over a local account that shares its name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signin_identity"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)

    class Meta:
        verbose_name = "single sign-on identity"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_identity")
        ]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


class SignInEvent(models.Model):
    SIGNED_IN = "signed-in"
    REFUSED = "refused"
    SIGNED_OUT = "signed-out"
    ROLES_CHANGED = "roles-changed"
    KINDS = [
        (SIGNED_IN, "signed in"),
        (REFUSED, "refused"),
        (SIGNED_OUT, "signed out"),
        (ROLES_CHANGED, "roles changed"),
    ]
    SSO = "sso"
    PASSWORD = "password"  # noqa: S105 (the method's name, not one)
    SECOND_FACTOR = "second-factor"
    METHODS = [
        (SSO, "single sign-on"),
        (PASSWORD, "password"),
        (SECOND_FACTOR, "second factor"),
    ]

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=KINDS)
    method = models.CharField(max_length=20, choices=METHODS, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "sign-in event"
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.reason}".strip()
