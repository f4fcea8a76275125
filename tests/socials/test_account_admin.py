"""Staff register and manage X accounts in the admin, through the same services."""

import responses

from socials.models import Account

from tests.conftest import X_APP_API as API


def add(client, **fields):
    data = {"user": "", "provider_account_id": "", "username": "", "name": "", "token_type": "oauth2_user",
            "oauth2_client_id": "", "expires_at_0": "", "expires_at_1": "", "scope": "", **fields}
    return client.post("/admin/socials/account/add/", data, follow=True)


@responses.activate
def test_staff_register_user_tokens_and_x_fills_in_who_it_is(client, sam, alice, x_app):
    responses.get(f"{API}/2/users/me", json={"data": {"id": "900", "username": "alice_pasted", "name": "Alice"}})
    client.force_login(sam)
    response = add(client, user=alice.pk, oauth2_access_token="pasted-a", oauth2_refresh_token="pasted-r")
    assert response.status_code == 200
    account = Account.objects.get()
    assert (account.user, account.provider_account_id, account.username) == (alice, "900", "alice_pasted")
    assert account.oauth2_refresh_token == "pasted-r"
    assert "pasted-a" not in client.get(f"/admin/socials/account/{account.pk}/change/").content.decode()


def test_the_admin_form_says_which_tokens_are_missing(client, sam, alice):
    client.force_login(sam)
    page = add(client, user=alice.pk, token_type="oauth1", provider_account_id="1",
               oauth1_access_token="t").content.decode()
    assert "This token is required" in page and not Account.objects.exists()


@responses.activate
def test_the_disconnect_action_revokes_and_reports(client, sam, alice_account, x_app):
    responses.post(f"{API}/2/oauth2/revoke", json={"revoked": True})
    client.force_login(sam)
    page = client.post("/admin/socials/account/", {"action": "disconnect", "_selected_action": [alice_account.pk]},
                       follow=True).content.decode()
    assert "@alice_x disconnected (tokens revoked at X; 0 post(s) held)." in page
    assert Account.objects.get(pk=alice_account.pk).state == Account.State.DISCONNECTED


def test_blank_token_inputs_keep_the_stored_tokens(client, sam, alice_account):
    client.force_login(sam)
    client.post(f"/admin/socials/account/{alice_account.pk}/change/", {
        "username": "alice_x", "name": "Renamed", "token_type": "oauth2_user", "oauth2_client_id": "",
        "expires_at_0": "", "expires_at_1": "", "scope": "",
    })
    account = Account.objects.get(pk=alice_account.pk)
    assert account.name == "Renamed" and account.oauth2_access_token == "access-alice_x"
