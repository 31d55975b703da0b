from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fpa.fund"
    label = "fund"
    verbose_name = "生育关怀基金"
    help_sections = "fpa.fund.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.fund.help.HOWTO"

    def ready(self) -> None:
        from fpa.fund import ledger_hook

        ledger_hook.register_source()

    demo_seeder = "fpa.fund.demo.seed"
    todo_kinds = "fpa.fund.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.fund.report_fields.FIELDS"  # found by fpa.reports.fields
