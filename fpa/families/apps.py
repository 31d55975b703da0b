from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "fpa.families"
    label = "families"
    verbose_name = "计生特殊家庭"
    demo_seeder = "fpa.families.demo.seed"
    todo_kinds = "fpa.families.todos.KINDS"  # found by fpa.core.todo
