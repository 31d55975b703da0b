from django.apps import AppConfig


class LeftBehindConfig(AppConfig):
    name = "fpa.leftbehind"
    label = "leftbehind"
    verbose_name = "三留守"
    help_sections = "fpa.leftbehind.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.leftbehind.help.HOWTO"
    demo_seeder = "fpa.leftbehind.demo.seed"
    todo_kinds = "fpa.leftbehind.todos.KINDS"  # found by fpa.core.todo

    def ready(self) -> None:
        from fpa.leftbehind import signals  # noqa: F401 (connects the schedule refreshes)
