from django.apps import AppConfig


class ProgrammeTheoriesConfig(AppConfig):
    name = "programme_theories"
    verbose_name = "Programme theories"
