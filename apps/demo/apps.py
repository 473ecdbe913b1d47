from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo generator: on top of every other app, imported by nobody but its command, bench/ and tests."""

    name = "apps.demo"
    label = "demo"
