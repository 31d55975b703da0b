from django.apps import AppConfig


class HealthyFamiliesConfig(AppConfig):
    name = "fpa.healthyfamilies"
    label = "healthyfamilies"
    verbose_name = "健康家庭创建"
    help_sections = "fpa.healthyfamilies.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.healthyfamilies.help.HOWTO"
    demo_seeder = "fpa.healthyfamilies.demo.seed"
    todo_kinds = "fpa.healthyfamilies.todos.KINDS"  # found by fpa.core.todo
