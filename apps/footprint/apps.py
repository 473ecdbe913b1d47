from django.apps import AppConfig


class FootprintConfig(AppConfig):
    name = "apps.footprint"
    label = "footprint"
