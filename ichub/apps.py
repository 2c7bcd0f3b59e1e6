from django.apps import AppConfig


class IchubConfig(AppConfig):
    name = "ichub"
    verbose_name = "Reviews"
