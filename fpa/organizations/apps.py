from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "fpa.organizations"
    label = "organizations"
    verbose_name = "协会网络"
    help_sections = "fpa.organizations.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.organizations.help.HOWTO"
    demo_seeder = "fpa.organizations.demo.seed"
    todo_kinds = "fpa.organizations.todos.KINDS"  # found by fpa.core.todo
    report_fields = "fpa.organizations.report_fields.FIELDS"  # found by fpa.reports.fields
    assessment_indicators = "fpa.organizations.indicators.INDICATORS"  # found by fpa.assessment

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fpa.organizations.models import Association
        from fpa.organizations.selectors import forget_area_options

        # The area filters' options are kept per worker (selectors.area_options): a change to
        # the tree clears this worker's copy at once.
        post_save.connect(forget_area_options, sender=Association, dispatch_uid="area-options")
        post_delete.connect(forget_area_options, sender=Association, dispatch_uid="area-options-d")
