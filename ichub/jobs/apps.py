from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "ichub.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Job tasks register their kinds on import; a retry or a worker needs them all.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
