from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "fpa.volunteers"
    label = "volunteers"
    verbose_name = "志愿者"
    help_sections = "fpa.volunteers.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.volunteers.help.HOWTO"
    demo_seeder = "fpa.volunteers.demo.seed"
    todo_kinds = "fpa.volunteers.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.volunteers.report_fields.FIELDS"  # found by fpa.reports.fields
    assessment_indicators = "fpa.volunteers.indicators.INDICATORS"  # found by fpa.assessment
