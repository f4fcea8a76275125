from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from socials.models import Account
from tests.conftest import make_account


def raw_row(account: Account) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM socials_account WHERE id = %s", [account.pk])
        return " ".join(str(v) for v in cursor.fetchone())


def test_a_raw_select_shows_no_token(alice):
    account = make_account(
        alice, "alice_x",
        oauth2_access_token="secret-access-AAA", oauth2_refresh_token="secret-refresh-BBB",
        oauth1_access_token_secret="secret-oauth1-CCC",
    )
    row = raw_row(account)
    for secret in ("secret-access-AAA", "secret-refresh-BBB", "secret-oauth1-CCC"):
        assert secret not in row
    fresh = Account.objects.get(pk=account.pk)
    assert fresh.oauth2_access_token == "secret-access-AAA"
    assert fresh.oauth1_access_token_secret == "secret-oauth1-CCC"


def test_keys_rotate_without_losing_tokens(alice, settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    account = make_account(alice, "alice_x", oauth2_access_token="keep-me")
    before = raw_row(account)

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    assert Account.objects.get(pk=account.pk).oauth2_access_token == "keep-me"  # old key still reads
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))
    assert raw_row(account) != before

    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key is gone
    assert Account.objects.get(pk=account.pk).oauth2_access_token == "keep-me"


def test_accounts_are_scoped_to_who_may_see_them(alice_account, bob_account, alice, rita, rex, sam, task):
    assert list(Account.objects.for_user(alice)) == [alice_account]
    assert list(Account.objects.for_user(rita)) == [alice_account]
    assert list(Account.objects.for_user(rex)) == []
    assert set(Account.objects.for_user(sam)) == {alice_account, bob_account}
