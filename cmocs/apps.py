from django.apps import AppConfig


class CmocsConfig(AppConfig):
    name = "cmocs"
    verbose_name = "CMOCs and lineage"
