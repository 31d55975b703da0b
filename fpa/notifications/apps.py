from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "fpa.notifications"
    label = "notifications"
    verbose_name = "消息通知"
    help_sections = "fpa.notifications.help.SECTIONS"  # found by fpa.core.help

    def ready(self) -> None:
        from fpa.core import events
        from fpa.notifications.sending import on_event

        events.listen(on_event)
