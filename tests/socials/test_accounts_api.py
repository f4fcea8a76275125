"""/api/accounts: scoped by role, token fields write-only, writes through the services."""

import responses

from posts.models import PostChannel
from socials import services
from socials.models import Account

from tests.conftest import X_APP_API as API

SECRETS = ("access-alice_x", "refresh-alice_x")


def test_each_person_lists_the_accounts_they_may_see(client, alice_account, bob_account, task, bob_task,
                                                     alice, rita, rex, sam, mallory):
    expected = {alice: {"alice_x"}, rita: {"alice_x"}, rex: {"bob_x"}, sam: {"alice_x", "bob_x"}, mallory: set()}
    for person, usernames in expected.items():
        client.force_login(person)
        rows = client.get("/api/accounts").json()["results"]
        assert {row["username"] for row in rows} == usernames, person


def test_tokens_are_never_returned(client, alice, alice_account):
    client.force_login(alice)
    body = client.get(f"/api/accounts/{alice_account.pk}").content.decode()
    assert not any(secret in body for secret in SECRETS)
    assert not any(f'"{name}"' in body for name in services.TOKEN_FIELDS)
    assert '"status":"Working"' in body.replace(" ", "")


def test_a_client_registers_an_account_with_tokens_they_have(client, alice):
    client.force_login(alice)
    response = client.post("/api/accounts", {
        "token_type": "oauth1", "provider_account_id": "77", "username": "alice_o1",
        "oauth1_access_token": "t1", "oauth1_access_token_secret": "s1",
    }, content_type="application/json")
    assert response.status_code == 201
    assert "t1" not in response.content.decode() and "s1" not in response.content.decode()
    account = Account.objects.get(pk=response.json()["id"])
    assert (account.user, account.oauth1_access_token_secret, account.state) == (alice, "s1", "connected")


def test_staff_register_an_account_for_a_client(client, sam, alice):
    client.force_login(sam)
    response = client.post("/api/accounts", {"user": alice.pk, "token_type": "bearer", "access_token": "b",
                                              "provider_account_id": "55"}, content_type="application/json")
    assert response.status_code == 201 and Account.objects.get(pk=response.json()["id"]).user == alice


def test_missing_tokens_come_back_as_field_errors(client, alice):
    client.force_login(alice)
    response = client.post("/api/accounts", {"token_type": "oauth2_user", "provider_account_id": "1"},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False and "oauth2_access_token" in response.json()["details"]


def test_resellers_only_look(client, rita, alice_account, task):
    client.force_login(rita)
    assert client.get(f"/api/accounts/{alice_account.pk}").status_code == 200
    response = client.patch(f"/api/accounts/{alice_account.pk}", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403 and "not change them" in response.json()["message"]
    assert client.delete(f"/api/accounts/{alice_account.pk}").status_code == 403


def test_another_clients_account_is_not_found(client, alice, bob_account):
    client.force_login(alice)
    assert client.patch(f"/api/accounts/{bob_account.pk}", {"name": "x"},
                        content_type="application/json").status_code == 404
    assert client.delete(f"/api/accounts/{bob_account.pk}").status_code == 404


def test_new_tokens_by_patch_replace_the_old_and_are_not_echoed(client, alice, alice_account):
    client.force_login(alice)
    response = client.patch(f"/api/accounts/{alice_account.pk}", {"oauth2_access_token": "pasted"},
                            content_type="application/json")
    assert response.status_code == 200 and "pasted" not in response.content.decode()
    assert Account.objects.get(pk=alice_account.pk).oauth2_access_token == "pasted"


@responses.activate
def test_delete_disconnects_and_holds_the_waiting_posts(client, alice, alice_account, make_post, x_app):
    responses.post(f"{API}/2/oauth2/revoke", json={"revoked": True})
    post = make_post()
    client.force_login(alice)
    body = client.delete(f"/api/accounts/{alice_account.pk}").json()
    assert body["success"] and body["details"]["revoked"] is True and body["details"]["held_posts"] == 1
    assert Account.objects.get(pk=alice_account.pk).state == Account.State.DISCONNECTED
    assert post.channels.get().state == PostChannel.State.HELD


def test_ids_are_opaque_strings_like_the_rest_of_the_api(client, alice, alice_account):
    client.force_login(alice)
    row = client.get("/api/accounts").json()["results"][0]
    assert (row["id"], row["user"]) == (str(alice_account.pk), str(alice.pk))
