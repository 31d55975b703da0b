from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "fpa.tasks"
    label = "tasks"
    verbose_name = "改革任务书"
    help_sections = "fpa.tasks.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.tasks.help.HOWTO"
    demo_seeder = "fpa.tasks.demo.seed"
    todo_kinds = "fpa.tasks.todos.KINDS"  # found by fpa.core.todo
    assessment_indicators = "fpa.tasks.indicators.INDICATORS"  # found by fpa.assessment
