from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "fpa.members"
    label = "members"
    verbose_name = "会员"
    demo_seeder = "fpa.members.demo.seed"
    todo_kinds = "fpa.members.todos.KINDS"  # found by fpa.core.todo
