from allauth.account.apps import AccountConfig
from allauth.socialaccount.apps import SocialAccountConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'
    default = True  # this module also holds allauth's configs below
    verbose_name = "People and roles"


# allauth's apps, named in the admin for what they hold: allauth calls both "Accounts", beside
# ours above and the connected X accounts (socials).
class SignInConfig(AccountConfig):
    verbose_name = "Sign-in email addresses"


class SignInWithXConfig(SocialAccountConfig):
    verbose_name = "Connect through allauth (X, Facebook, LinkedIn)"
