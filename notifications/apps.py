from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Events, notifications (Apprise, webhooks) and the health checks. Sits on top of every app;
    none imports it: they emit through core.events, and /api/health asks through core.health,
    both filled in here."""

    name = "notifications"

    def ready(self) -> None:
        from core import events, health
        from notifications.health.service import problems_for_api
        from notifications.store import DatabaseEventStore

        events.install_store(DatabaseEventStore())
        health.install_problem_source(problems_for_api)
