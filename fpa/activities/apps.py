from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "fpa.activities"
    label = "activities"
    verbose_name = "活动与阵地"
    help_sections = "fpa.activities.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.activities.help.HOWTO"
    todo_kinds = "fpa.activities.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.activities.report_fields.FIELDS"  # found by fpa.reports.fields
    demo_seeder = "fpa.activities.demo.seed"
