from django.apps import AppConfig


class SocialsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'socials'
    verbose_name = "Connected accounts"
