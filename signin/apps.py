from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "council sign-in"

    def ready(self):
        from . import events

        events.subscribe()
