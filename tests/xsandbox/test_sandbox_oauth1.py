"""OAuth 1.0a: the three-legged flow and signature checks, with requests-oauthlib as the client."""
from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import requests
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1, OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

CALLBACK = "http://app.test/accounts/twitter/login/callback/"


def consumer_session(sandbox, **extra) -> OAuth1Session:
    config = sandbox.state.config
    return OAuth1Session(config.consumer_key, client_secret=config.consumer_secret, **extra)


def test_three_legged_flow_gives_a_token_that_can_post(sandbox):
    session = consumer_session(sandbox, callback_uri=CALLBACK)
    request_token = session.fetch_request_token(f"{sandbox.url}/oauth/request_token")
    assert request_token["oauth_callback_confirmed"] == "true"

    authorize_url = session.authorization_url(f"{sandbox.url}/oauth/authorize")
    approved = requests.get(authorize_url + "&auto_approve=1&username=dave", allow_redirects=False, timeout=5)
    assert approved.headers["Location"].startswith(CALLBACK)
    session.parse_authorization_response(approved.headers["Location"])
    access = session.fetch_access_token(f"{sandbox.url}/oauth/access_token")

    assert access["screen_name"] == "dave"
    assert access["user_id"] == sandbox.state.user_ids_by_name["dave"]
    posted = session.post(f"{sandbox.url}/2/tweets", json={"text": "signed with OAuth 1.0a"})
    assert posted.status_code == 201, posted.text


def test_consent_page_for_authenticate_and_cancel_redirects_with_denied(sandbox):
    session = consumer_session(sandbox, callback_uri=CALLBACK)
    token = session.fetch_request_token(f"{sandbox.url}/oauth/request_token")["oauth_token"]
    page = requests.get(f"{sandbox.url}/oauth/authenticate", params={"oauth_token": token}, timeout=5)
    assert "Authorize app" in page.text

    cancelled = requests.post(f"{sandbox.url}/oauth/authenticate", data={"oauth_token": token, "decision": "cancel"},
                              allow_redirects=False, timeout=5)
    assert cancelled.headers["Location"] == f"{CALLBACK}?denied={token}"


def test_request_token_with_a_bad_consumer_secret_is_refused(sandbox):
    session = OAuth1Session(sandbox.state.config.consumer_key, client_secret="wrong", callback_uri=CALLBACK)
    with pytest.raises(TokenRequestDenied) as refused:
        session.fetch_request_token(f"{sandbox.url}/oauth/request_token")
    assert refused.value.status_code == 401


def test_access_token_needs_the_verifier(sandbox):
    session = consumer_session(sandbox, callback_uri=CALLBACK)
    session.fetch_request_token(f"{sandbox.url}/oauth/request_token")
    requests.get(session.authorization_url(f"{sandbox.url}/oauth/authorize") + "&auto_approve=1",
                 allow_redirects=False, timeout=5)
    session._client.client.verifier = "not-the-verifier"
    with pytest.raises(TokenRequestDenied):
        session.fetch_access_token(f"{sandbox.url}/oauth/access_token")


def test_api_call_signed_with_a_wrong_token_secret_answers_401(sandbox, alice):
    config = sandbox.state.config
    auth = OAuth1(config.consumer_key, config.consumer_secret, alice["oauth1"]["oauth_token"], "wrong-secret")
    answer = requests.post(f"{sandbox.url}/2/tweets", json={"text": "nope"}, auth=auth, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["title"] == "Unauthorized"
    assert sandbox.state.tweets == {}


def test_query_params_are_part_of_the_signature(sandbox, alice, oauth1_auth):
    url = f"{sandbox.url}/2/users/{alice['id']}/tweets"
    signed = requests.Request("GET", url, params={"max_results": "5"}, auth=oauth1_auth(alice)).prepare()
    assert requests.Session().send(signed, timeout=5).status_code == 200

    signed.url = signed.url.replace("max_results=5", "max_results=6")  # tampered after signing
    assert requests.Session().send(signed, timeout=5).status_code == 401


def test_form_bodies_are_signed_and_json_bodies_are_not(sandbox, alice):
    """Mirrors requests-oauthlib: form params go into the signature, a JSON body does not."""
    config = sandbox.state.config
    client = Client(config.consumer_key, client_secret=config.consumer_secret,
                    resource_owner_key=alice["oauth1"]["oauth_token"],
                    resource_owner_secret=alice["oauth1"]["oauth_token_secret"])
    url = f"{sandbox.url}/2/media/upload/initialize"
    form = {"media_type": "image/png", "total_bytes": "10", "media_category": "tweet_image"}
    encoded = urlencode(form)
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _, headers, _ = client.sign(url, "POST", body=encoded, headers=form_headers)
    assert requests.post(url, data=encoded, headers=headers, timeout=5).status_code == 200

    _, headers, _ = client.sign(url, "POST", body=encoded, headers=form_headers)
    tampered = encoded.replace("total_bytes=10", "total_bytes=11")
    assert requests.post(url, data=tampered, headers=headers, timeout=5).status_code == 401

    _, headers, _ = client.sign(url, "POST", headers={"Content-Type": "application/json"})
    answer = requests.post(url, data=json.dumps({**form, "total_bytes": 10}), headers=headers, timeout=5)
    assert answer.status_code == 200


def test_a_stale_timestamp_is_refused(sandbox, alice):
    config = sandbox.state.config
    client = Client(config.consumer_key, client_secret=config.consumer_secret,
                    resource_owner_key=alice["oauth1"]["oauth_token"],
                    resource_owner_secret=alice["oauth1"]["oauth_token_secret"],
                    timestamp=str(int(time.time()) - 3600))
    url = f"{sandbox.url}/2/users/me"
    _, headers, _ = client.sign(url, "GET")
    assert requests.get(url, headers=headers, timeout=5).status_code == 401
