from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "fpa.cadres"
    label = "cadres"
    verbose_name = "干部直接联系基层"
    help_sections = "fpa.cadres.help.SECTIONS"  # found by fpa.core.help
    howto_hints = "fpa.cadres.help.HOWTO"
    demo_seeder = "fpa.cadres.demo.seed"
