from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fpa.reports"
    label = "reports"
    verbose_name = "上报"
    help_sections = "fpa.reports.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.reports.help.HOWTO"
    todo_kinds = "fpa.reports.todos.KINDS"  # found by fpa.core.todo
    demo_seeder = "fpa.reports.demo.seed"
    assessment_indicators = "fpa.reports.indicators.INDICATORS"  # found by fpa.assessment
