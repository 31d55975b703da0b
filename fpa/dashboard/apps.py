from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "fpa.dashboard"
    label = "dashboard"
    verbose_name = "工作台"
    help_sections = "fpa.dashboard.help.SECTIONS"  # found by fpa.core.help
