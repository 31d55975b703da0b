from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "fpa.assessment"
    label = "assessment"
    verbose_name = "重点工作考评"
    help_sections = "fpa.assessment.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.assessment.help.HOWTO"
    demo_seeder = "fpa.assessment.demo.seed"
    todo_kinds = "fpa.assessment.todos.KINDS"  # found by fpa.core.todo
    # The computed indicators this app declares itself, from other modules' report fields and
    # selectors; any app may name its own list the same way (found by fpa.assessment.registry).
    assessment_indicators = "fpa.assessment.computed.INDICATORS"
