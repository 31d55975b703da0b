from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "fpa.rights"
    label = "rights"
    verbose_name = "权益维护"
    help_sections = "fpa.rights.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.rights.help.HOWTO"
    demo_seeder = "fpa.rights.demo.seed"
    todo_kinds = "fpa.rights.todos.KINDS"  # found by fpa.core.todo
