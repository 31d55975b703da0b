from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "fpa.families"
    label = "families"
    verbose_name = "计生特殊家庭"
    help_sections = "fpa.families.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.families.help.HOWTO"
    demo_seeder = "fpa.families.demo.seed"
    todo_kinds = "fpa.families.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.families.report_fields.FIELDS"  # found by fpa.reports.fields
    assessment_indicators = "fpa.families.indicators.INDICATORS"  # found by fpa.assessment
