from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "fpa.members"
    label = "members"
    verbose_name = "会员"
    help_sections = "fpa.members.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.members.help.HOWTO"
    demo_seeder = "fpa.members.demo.seed"
    todo_kinds = "fpa.members.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.members.report_fields.FIELDS"  # found by fpa.reports.fields
