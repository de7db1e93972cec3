from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The heartbeat signal hooks, in web, worker and beat alike.
        from core import tasks  # noqa: F401
