from django.apps import AppConfig


class APIConfig(AppConfig):
    name = "api"
    # The label this app's tables and migrations were made under, when it was `cms`.
    label = "cms"
    verbose_name = "APIs"
