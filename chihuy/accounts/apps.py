from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chihuy.accounts"
    verbose_name = "Tài khoản"
