from django.apps import AppConfig


class ChildcareConfig(AppConfig):
    name = "fpa.childcare"
    label = "childcare"
    verbose_name = "托育机构"
    help_sections = "fpa.childcare.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.childcare.help.HOWTO"
    demo_seeder = "fpa.childcare.demo.seed"
    todo_kinds = "fpa.childcare.todos.KINDS"  # found by fpa.core.todo
