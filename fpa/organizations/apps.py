from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "fpa.organizations"
    label = "organizations"
    verbose_name = "协会网络"
    demo_seeder = "fpa.organizations.demo.seed"
    todo_kinds = "fpa.organizations.todos.KINDS"  # found by fpa.core.todo
