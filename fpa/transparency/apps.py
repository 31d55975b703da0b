from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "fpa.transparency"
    label = "transparency"
    verbose_name = "可验证账本"
