from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"

    def ready(self):
        from . import schema  # noqa: F401  (registers the schema extension for token authentication)
