from django.apps import AppConfig


class MigrantsConfig(AppConfig):
    name = "fpa.migrants"
    label = "migrants"
    verbose_name = "流动人口与企业协会"
    help_sections = "fpa.migrants.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.migrants.help.HOWTO"
    demo_seeder = "fpa.migrants.demo.seed"
    todo_kinds = "fpa.migrants.todos.KINDS"  # found by fpa.core.todo
