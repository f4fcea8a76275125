"""The signed-in user is read with one plain statement on every request, and a session stays
valid, or is ended, exactly as with Django's own lookup (accounts/middleware.py)."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.models import Session

from accounts.models import User

ALLAUTH = "allauth.account.auth_backends.AuthenticationBackend"


def _user(client):
    return client.get("/posts/").wsgi_request.user


def test_a_signed_in_reseller_is_the_same_user_on_every_request(client, rita):
    client.force_login(rita)
    user = _user(client)
    assert user == rita and user.is_authenticated and user.role == "reseller"
    assert [getattr(user, field.attname) for field in User._meta.concrete_fields] == [
        getattr(rita, field.attname) for field in User._meta.concrete_fields]


def test_a_session_from_allauths_sign_in_stays_valid(client, rita):
    client.force_login(rita, backend=ALLAUTH)
    assert client.session[BACKEND_SESSION_KEY] == ALLAUTH
    assert _user(client) == rita


def test_the_user_is_read_again_on_each_request(client, rita):
    client.force_login(rita)
    assert _user(client).first_name == rita.first_name
    User.objects.filter(pk=rita.pk).update(first_name="Renamed", time_zone="Europe/Paris")
    user = _user(client)
    assert user.first_name == "Renamed" and user.time_zone == "Europe/Paris"


def test_a_password_changed_elsewhere_ends_the_session(client, rita):
    client.force_login(rita)
    rita.set_password("another long passphrase")
    rita.save()
    assert _user(client).is_anonymous
    assert not Session.objects.exists()


def test_a_session_without_its_hash_is_nobody(client, rita):
    client.force_login(rita)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    assert _user(client).is_anonymous


def test_a_deactivated_or_deleted_user_is_nobody(client, rita, alice):
    client.force_login(rita)
    User.objects.filter(pk=rita.pk).update(is_active=False)
    assert _user(client).is_anonymous
    client.force_login(alice)
    alice.delete()
    assert _user(client).is_anonymous


def test_a_backend_no_longer_configured_is_nobody(client, rita, settings):
    client.force_login(rita, backend=ALLAUTH)
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert _user(client).is_anonymous


def test_a_session_signed_with_a_fallback_key_stays_valid_and_is_signed_again(client, rita, settings):
    client.force_login(rita)
    old_hash = client.session[HASH_SESSION_KEY]
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key that is long enough for the checks, surely: 0123456789"
    assert _user(client) == rita
    assert client.session[HASH_SESSION_KEY] not in ("", old_hash)
    assert _user(client) == rita


def test_reading_the_user_takes_one_statement(client, rita, django_assert_num_queries):
    client.force_login(rita)
    request = client.get("/posts/").wsgi_request
    from accounts.middleware import get_user

    del request._cached_user
    with django_assert_num_queries(1):
        assert get_user(request) == rita
