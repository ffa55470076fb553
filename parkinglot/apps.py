from django.apps import AppConfig


class ParkinglotConfig(AppConfig):
    name = "parkinglot"
    label = "parkinglot"
    verbose_name = "Parking lot"
