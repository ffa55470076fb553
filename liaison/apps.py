from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    name = "liaison"
    label = "liaison"
    verbose_name = "Liaisons and meetings"
