from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "fpa.insurance"
    label = "insurance"
    verbose_name = "计生保险"
    help_sections = "fpa.insurance.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.insurance.help.HOWTO"
    todo_kinds = "fpa.insurance.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.insurance.report_fields.FIELDS"  # found by fpa.reports.fields
    demo_seeder = "fpa.insurance.demo.seed"
