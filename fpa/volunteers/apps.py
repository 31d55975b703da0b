from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "fpa.volunteers"
    label = "volunteers"
    verbose_name = "志愿者"
    demo_seeder = "fpa.volunteers.demo.seed"
    todo_kinds = "fpa.volunteers.todos.KINDS"  # found by fpa.core.todo
