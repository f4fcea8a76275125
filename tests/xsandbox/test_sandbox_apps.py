"""Several X apps in one sandbox: tokens are bound to the app that issued them."""
from __future__ import annotations

import requests
from requests_oauthlib import OAuth1


def register(sandbox, name="Agency app") -> dict:
    answer = requests.post(f"{sandbox.url}/_sandbox/apps", json={"name": name}, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()


def refresh(sandbox, app, refresh_token) -> requests.Response:
    return requests.post(f"{sandbox.url}/2/oauth2/token", auth=(app["client_id"], app["client_secret"]), timeout=5,
                         data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_a_registered_app_gets_its_own_credentials_and_is_listed(sandbox):
    app = register(sandbox)
    listed = requests.get(f"{sandbox.url}/_sandbox/apps", timeout=5).json()["data"]
    assert [a["id"] for a in listed] == ["1", app["id"]]
    assert app["name"] == "Agency app"
    assert len({app["client_id"], app["consumer_key"], listed[0]["client_id"], listed[0]["consumer_key"]}) == 4


def test_only_the_issuing_app_may_refresh_its_tokens(sandbox, make_account):
    app = register(sandbox)
    default = requests.get(f"{sandbox.url}/_sandbox/apps", timeout=5).json()["data"][0]
    carol = make_account(sandbox, "carol", app_id=app["id"])

    foreign = refresh(sandbox, default, carol["oauth2"]["refresh_token"])
    own = refresh(sandbox, app, carol["oauth2"]["refresh_token"])

    assert foreign.status_code == 400
    assert foreign.json() == {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    assert own.status_code == 200, own.text  # the foreign attempt did not spend it
    new = own.json()["access_token"]
    me = requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {new}"}, timeout=5)
    assert me.json()["data"]["username"] == "carol"


def test_revoking_another_apps_token_is_refused_and_leaves_it_valid(sandbox, make_account):
    app = register(sandbox)
    default = requests.get(f"{sandbox.url}/_sandbox/apps", timeout=5).json()["data"][0]
    carol = make_account(sandbox, "carol", app_id=app["id"])
    token = carol["oauth2"]["access_token"]

    foreign = requests.post(f"{sandbox.url}/2/oauth2/revoke", auth=(default["client_id"], default["client_secret"]),
                            data={"token": token}, timeout=5)
    still = requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    own = requests.post(f"{sandbox.url}/2/oauth2/revoke", auth=(app["client_id"], app["client_secret"]),
                        data={"token": token}, timeout=5)
    gone = requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert foreign.status_code == 400 and still.status_code == 200
    assert own.json() == {"revoked": True} and gone.status_code == 401


def test_oauth1_calls_must_be_signed_with_the_consumer_that_issued_the_token(sandbox, make_account):
    app = register(sandbox)
    default = requests.get(f"{sandbox.url}/_sandbox/apps", timeout=5).json()["data"][0]
    carol = make_account(sandbox, "carol", app_id=app["id"])
    token, secret = carol["oauth1"]["oauth_token"], carol["oauth1"]["oauth_token_secret"]

    foreign = requests.post(f"{sandbox.url}/2/tweets", json={"text": "hi"}, timeout=5,
                            auth=OAuth1(default["consumer_key"], default["consumer_secret"], token, secret))
    own = requests.post(f"{sandbox.url}/2/tweets", json={"text": "hi"}, timeout=5,
                        auth=OAuth1(app["consumer_key"], app["consumer_secret"], token, secret))

    assert foreign.status_code == 401
    assert foreign.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    assert own.status_code == 201


def test_an_apps_bearer_token_reads_and_its_client_runs_the_authorize_flow(sandbox, make_account):
    app = register(sandbox)
    alice = make_account(sandbox, "alice_x")
    me = requests.get(f"{sandbox.url}/2/users/{alice['id']}", headers={"Authorization": f"Bearer {app['bearer_token']}"},
                      timeout=5)
    page = requests.get(f"{sandbox.url}/i/oauth2/authorize", timeout=5, params={
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": "http://localhost/cb",
        "scope": "tweet.read", "state": "s", "code_challenge": "abc", "code_challenge_method": "plain"})
    assert me.json()["data"]["username"] == "alice_x"
    assert page.status_code == 200 and "Agency app" in page.text


def test_reset_forgets_registered_apps(sandbox):
    register(sandbox)
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert [a["id"] for a in requests.get(f"{sandbox.url}/_sandbox/apps", timeout=5).json()["data"]] == ["1"]
