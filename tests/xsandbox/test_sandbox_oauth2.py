"""OAuth 2.0 authorization code flow with PKCE, refresh rotation, revocation."""
from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlparse

import requests
from requests_oauthlib import OAuth2Session

CALLBACK = "http://app.test/accounts/twitter_oauth2/login/callback/"
SCOPES = ["tweet.read", "tweet.write", "users.read", "offline.access", "media.write"]
INVALID_TOKEN = {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}


def oauth2_session(sandbox, scope=SCOPES) -> OAuth2Session:
    return OAuth2Session(sandbox.state.config.client_id, redirect_uri=CALLBACK, scope=scope, pkce="S256")


def authorize(sandbox, session: OAuth2Session, username: str = "bob") -> str:
    """Runs the consent screen with auto_approve; returns the callback URL the browser would get."""
    url, _ = session.authorization_url(f"{sandbox.url}/i/oauth2/authorize")
    answer = requests.get(f"{url}&auto_approve=1&username={username}", allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


def fetch_token(sandbox, session: OAuth2Session, callback_url: str) -> dict:
    return session.fetch_token(f"{sandbox.url}/2/oauth2/token", authorization_response=callback_url,
                               client_secret=sandbox.state.config.client_secret)


def refresh(sandbox, refresh_token: str) -> requests.Response:
    config = sandbox.state.config
    return requests.post(f"{sandbox.url}/2/oauth2/token", auth=(config.client_id, config.client_secret),
                         data={"grant_type": "refresh_token", "refresh_token": refresh_token}, timeout=5)


def challenge_for(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def get_code(sandbox, verifier: str, scope: str = "tweet.read users.read") -> str:
    answer = requests.get(f"{sandbox.url}/i/oauth2/authorize", allow_redirects=False, timeout=5, params={
        "response_type": "code", "client_id": sandbox.state.config.client_id, "redirect_uri": CALLBACK,
        "scope": scope, "state": "xyz", "code_challenge": challenge_for(verifier),
        "code_challenge_method": "S256", "auto_approve": "1", "username": "bob"})
    return parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]


def exchange(sandbox, code: str, verifier: str) -> requests.Response:
    config = sandbox.state.config
    return requests.post(f"{sandbox.url}/2/oauth2/token", auth=(config.client_id, config.client_secret), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier,
    }, timeout=5)


def test_code_flow_with_pkce_gives_tokens_that_work_on_the_api(sandbox):
    session = oauth2_session(sandbox)
    callback_url = authorize(sandbox, session, "bob")
    assert callback_url.startswith(CALLBACK)

    token = fetch_token(sandbox, session, callback_url)

    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 7200
    assert set(token["scope"]) == set(SCOPES)
    assert token["refresh_token"]
    me = session.get(f"{sandbox.url}/2/users/me").json()
    assert me["data"]["username"] == "bob"


def test_consent_page_shows_the_app_and_a_form_that_redirects_with_code_and_state(sandbox):
    session = oauth2_session(sandbox)
    url, state = session.authorization_url(f"{sandbox.url}/i/oauth2/authorize")
    page = requests.get(url, timeout=5)
    assert "X sandbox: authorize" in page.text and "Authorize app" in page.text
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}

    approved = requests.post(f"{sandbox.url}/i/oauth2/authorize", data={**params, "username": "carol",
                             "decision": "authorize"}, allow_redirects=False, timeout=5)

    query = parse_qs(urlparse(approved.headers["Location"]).query)
    assert query["state"] == [state] and query["code"]
    assert "carol" in sandbox.state.user_ids_by_name


def test_cancel_redirects_with_access_denied(sandbox):
    url, state = oauth2_session(sandbox).authorization_url(f"{sandbox.url}/i/oauth2/authorize")
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    cancelled = requests.post(f"{sandbox.url}/i/oauth2/authorize", data={**params, "decision": "cancel"},
                              allow_redirects=False, timeout=5)
    assert parse_qs(urlparse(cancelled.headers["Location"]).query) == {"error": ["access_denied"], "state": [state]}


def test_wrong_code_verifier_is_refused_and_counted(sandbox):
    code = get_code(sandbox, "right-verifier-" + "x" * 40)
    answer = exchange(sandbox, code, "wrong-verifier-" + "y" * 40)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()["invalid_grant"] == 1


def test_a_code_works_once(sandbox):
    verifier = "v" * 50
    code = get_code(sandbox, verifier)
    assert exchange(sandbox, code, verifier).status_code == 200
    assert exchange(sandbox, code, verifier).json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_refused(sandbox):
    verifier = "v" * 50
    code = get_code(sandbox, verifier)
    answer = requests.post(f"{sandbox.url}/2/oauth2/token", auth=("sandbox-client-id", "nope"), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier,
    }, timeout=5)
    assert answer.status_code == 401


def test_no_refresh_token_without_offline_access(sandbox):
    verifier = "v" * 50
    token = exchange(sandbox, get_code(sandbox, verifier, scope="tweet.read users.read"), verifier).json()
    assert "refresh_token" not in token
    assert token["scope"] == "tweet.read users.read"


def test_refresh_tokens_rotate_and_work_once(sandbox, alice):
    first = alice["oauth2"]["refresh_token"]

    rotated = refresh(sandbox, first)
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    new_access = rotated.json()["access_token"]
    assert requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {new_access}"},
                        timeout=5).status_code == 200

    reused = refresh(sandbox, first)
    assert reused.status_code == 400
    assert reused.json() == INVALID_TOKEN
    assert refresh(sandbox, second).status_code == 200  # the chain survives a reuse by default

    stats = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    assert stats["refresh_token_reuse"] == 1
    assert stats["refreshes_by_user"] == {alice["id"]: 2}


def test_reuse_can_be_set_to_kill_the_chain(start, make_account):
    sandbox = start(refresh_reuse_kills_chain=True)
    first = make_account(sandbox, "alice_x")["oauth2"]["refresh_token"]
    second = refresh(sandbox, first).json()["refresh_token"]
    refresh(sandbox, first)
    assert refresh(sandbox, second).json() == INVALID_TOKEN


def test_revoked_access_token_answers_401(sandbox, alice):
    access = alice["oauth2"]["access_token"]
    revoked = requests.post(f"{sandbox.url}/2/oauth2/revoke", auth=("sandbox-client-id", "sandbox-client-secret"),
                            data={"token": access, "token_type_hint": "access_token"}, timeout=5)
    assert revoked.json() == {"revoked": True}
    me = requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {access}"}, timeout=5)
    assert me.status_code == 401
    assert me.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def test_revoked_refresh_token_cannot_refresh(sandbox, alice):
    token = alice["oauth2"]["refresh_token"]
    requests.post(f"{sandbox.url}/2/oauth2/revoke", auth=("sandbox-client-id", "sandbox-client-secret"),
                  data={"token": token}, timeout=5)
    assert refresh(sandbox, token).status_code == 400


def test_expired_access_token_answers_401_until_refreshed(start, make_account):
    sandbox = start(access_token_ttl=60)
    account = make_account(sandbox, "alice_x")
    assert account["oauth2"]["expires_in"] == 60
    headers = {"Authorization": f"Bearer {account['oauth2']['access_token']}"}
    requests.post(f"{sandbox.url}/_sandbox/tokens/expire", json={"user_id": account["id"]}, timeout=5)
    assert requests.get(f"{sandbox.url}/2/users/me", headers=headers, timeout=5).status_code == 401
    fresh = refresh(sandbox, account["oauth2"]["refresh_token"]).json()["access_token"]
    assert requests.get(f"{sandbox.url}/2/users/me", headers={"Authorization": f"Bearer {fresh}"},
                        timeout=5).status_code == 200
