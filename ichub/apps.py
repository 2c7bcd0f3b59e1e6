from django.apps import AppConfig


class IchubConfig(AppConfig):
    name = "ichub"
    verbose_name = "Reviews"

    def ready(self):
        from ichub.drf import require_strings

        require_strings()
