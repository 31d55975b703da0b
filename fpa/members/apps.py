from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "fpa.members"
    label = "members"
    verbose_name = "会员"
    demo_seeder = "fpa.members.demo.seed"
