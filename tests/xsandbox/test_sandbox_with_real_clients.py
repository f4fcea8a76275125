"""X's own SDK (xdk) and tweepy, written by nobody here, drive the sandbox.

xdk takes a base URL; tweepy hard-codes https://api.twitter.com, so its sessions get a transport
adapter that sends those requests to the sandbox instead (the requests themselves are tweepy's).
"""
from __future__ import annotations

import base64
import time

import pytest
import tweepy
from requests.adapters import HTTPAdapter
from xdk import Client
from xdk.oauth1_auth import OAuth1
from xdk.media.models import AppendUploadRequest, CreateMetadataRequest, InitializeUploadRequest
from xdk.posts.models import CreateRequest

TWITTER = "https://api.twitter.com"
CHUNK = 4096


class ToSandbox(HTTPAdapter):
    """Sends requests meant for api.twitter.com to the sandbox, unchanged otherwise."""

    def __init__(self, sandbox_url: str):
        super().__init__()
        self.sandbox_url = sandbox_url

    def send(self, request, *args, **kwargs):
        request.url = self.sandbox_url + request.url[len(TWITTER):]
        return super().send(request, *args, **kwargs)


@pytest.fixture
def xdk_client(sandbox, alice) -> Client:
    return Client(base_url=sandbox.url, access_token=alice["oauth2"]["access_token"])


@pytest.fixture
def tweepy_client(sandbox, alice) -> tweepy.Client:
    # An OAuth 2.0 user token is passed as tweepy's bearer token (user_auth=False on each call).
    client = tweepy.Client(bearer_token=alice["oauth2"]["access_token"])
    client.session.mount(TWITTER, ToSandbox(sandbox.url))
    return client


# ---- xdk --------------------------------------------------------------------------------------

def test_xdk_creates_reads_and_deletes_a_post(sandbox, alice, xdk_client):
    created = xdk_client.posts.create(body=CreateRequest(text="Hello from xdk & friends at example.com"))

    tweet_id = created.data.id
    assert created.data.text.startswith("Hello from xdk &amp; friends at https://t.co/")
    page = next(iter(xdk_client.users.get_posts(id=alice["id"], max_results=5, post_fields=["created_at", "entities"])))
    assert [post.id for post in page.data] == [tweet_id]
    assert page.data[0].entities.urls[0].expanded_url == "http://example.com"
    assert page.data[0].created_at.endswith("Z")
    deleted = xdk_client.posts.delete(id=tweet_id)
    assert deleted.data.deleted is True and sandbox.state.tweets[tweet_id].deleted


def test_xdk_uploads_chunked_video_sets_alt_text_and_posts_it_media_only(sandbox, alice, xdk_client):
    data = bytes(range(256)) * 40  # 10 KB, every byte value
    init = xdk_client.media.initialize_upload(body=InitializeUploadRequest(
        media_type="video/mp4", total_bytes=len(data), media_category="tweet_video"))
    media_id = init.data.id
    for index, offset in enumerate(range(0, len(data), CHUNK)):
        chunk = base64.b64encode(data[offset:offset + CHUNK]).decode()
        xdk_client.media.append_upload(id=media_id, body=AppendUploadRequest(media=chunk, segment_index=index))
    final = xdk_client.media.finalize_upload(id=media_id)
    assert final.data.processing_info.state == "pending"
    for _ in range(5):
        status = xdk_client.media.get_upload_status(media_id=media_id, command="STATUS")
        if status.data.processing_info.state == "succeeded":
            break
    assert status.data.processing_info.state == "succeeded"
    alt = xdk_client.media.create_metadata(body=CreateMetadataRequest(
        id=media_id, metadata={"alt_text": {"text": "A test pattern"}}))
    assert alt.data.id == media_id

    posted = xdk_client.posts.create(body=CreateRequest(text="", media={"media_ids": [media_id]}))

    assert posted.data.text == ""
    record = sandbox.state.media[media_id]
    assert (record.received_bytes, record.alt_text) == (len(data), "A test pattern")
    assert sandbox.state.tweets[posted.data.id].media_ids == [media_id]


def test_xdk_refreshes_an_oauth2_token(sandbox, alice):
    app = sandbox.state.apps["1"]
    token = {"access_token": alice["oauth2"]["access_token"], "refresh_token": alice["oauth2"]["refresh_token"],
             "token_type": "bearer", "expires_in": 7200, "expires_at": time.time() + 7200}
    client = Client(base_url=sandbox.url, client_id=app.client_id, client_secret=app.client_secret, token=token)

    fresh = client.refresh_token()

    assert fresh["access_token"] != token["access_token"] and fresh["refresh_token"] != token["refresh_token"]
    assert client.users.get_me().data.username == "alice_x"
    assert sandbox.state.refresh_tokens[token["refresh_token"]].spent


# ---- tweepy -----------------------------------------------------------------------------------

def test_tweepy_creates_reads_a_timeline_and_deletes(sandbox, alice, tweepy_client):
    created = tweepy_client.create_tweet(text="Hello from tweepy", user_auth=False)
    reply = tweepy_client.create_tweet(text="and a reply", in_reply_to_tweet_id=created.data["id"], user_auth=False)

    timeline = tweepy_client.get_users_tweets(alice["id"], max_results=5, tweet_fields=["created_at"])

    assert [t.id for t in timeline.data] == [int(reply.data["id"]), int(created.data["id"])]
    assert timeline.meta["result_count"] == 2
    assert tweepy_client.delete_tweet(created.data["id"], user_auth=False).data == {"deleted": True}
    assert sandbox.state.tweets[created.data["id"]].deleted


def test_tweepy_reads_the_400_for_a_too_long_post(tweepy_client):
    with pytest.raises(tweepy.BadRequest) as refused:
        tweepy_client.create_tweet(text="x" * 281, user_auth=False)
    assert refused.value.api_messages == [
        "Your Tweet text is too long. For more information on how Twitter determines text length see "
        "https://github.com/twitter/twitter-text."]


def test_tweepy_refreshes_an_oauth2_token(sandbox, alice, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")  # the refreshed token names all its scopes
    app = sandbox.state.apps["1"]
    handler = tweepy.OAuth2UserHandler(client_id=app.client_id, client_secret=app.client_secret,
                                       redirect_uri="http://localhost/callback", scope=["tweet.read"])
    handler.mount(TWITTER, ToSandbox(sandbox.url))

    fresh = handler.refresh_token(f"{TWITTER}/2/oauth2/token", refresh_token=alice["oauth2"]["refresh_token"],
                                  auth=handler.auth)

    me = tweepy.Client(bearer_token=fresh["access_token"])
    me.session.mount(TWITTER, ToSandbox(sandbox.url))
    assert me.get_me(user_auth=False).data.username == "alice_x"
    assert sandbox.state.stats.refreshes_by_user[alice["id"]] == 1


def test_xdk_posts_with_oauth1_user_context(sandbox, alice):
    app = sandbox.state.apps["1"]
    auth = OAuth1(api_key=app.consumer_key, api_secret=app.consumer_secret, callback="oob",
                  access_token=alice["oauth1"]["oauth_token"], access_token_secret=alice["oauth1"]["oauth_token_secret"])
    client = Client(base_url=sandbox.url, auth=auth)

    created = client.posts.create(body=CreateRequest(text="Signed by xdk"))

    assert sandbox.state.tweets[created.data.id].author_id == alice["id"]
