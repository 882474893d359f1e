from django.apps import AppConfig


class DownloadersConfig(AppConfig):
    name = "downloaders"
