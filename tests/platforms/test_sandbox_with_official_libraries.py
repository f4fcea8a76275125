"""The official client libraries drive the sandbox, so it answers the way they expect:
Mastodon.py (app registration, OAuth, media, statuses with Idempotency-Key, limits) and
atproto (app-password session, blobs, records under a chosen key, replies)."""

import io

import requests
from atproto import Client
from atproto_client.exceptions import BadRequestError
from mastodon import Mastodon

from tests.conftest import PNG_BYTES

from tests.platforms.helpers import control

SCOPES = ["write:statuses", "write:media", "read:accounts"]
REDIRECT = "http://127.0.0.1:8000/platforms/mastodon/callback/"


def test_mastodon_py_registers_signs_in_uploads_and_posts_once_per_idempotency_key(sandbox):
    client_id, secret = Mastodon.create_app("SocialHub", scopes=SCOPES, redirect_uris=REDIRECT, api_base_url=sandbox.url)
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=sandbox.url)
    url = api.auth_request_url(redirect_uris=REDIRECT, scopes=SCOPES, state="s1", allow_http=True)
    assert url.startswith(f"{sandbox.url}/oauth/authorize?")
    consent = requests.post(f"{sandbox.url}/oauth/authorize", allow_redirects=False, timeout=5, data={
        "client_id": client_id, "redirect_uri": REDIRECT, "scope": " ".join(SCOPES), "state": "s1",
        "username": "alice", "decision": "approve"})
    code = consent.headers["Location"].split("code=")[1]
    api.log_in(code=code, redirect_uri=REDIRECT, scopes=SCOPES, allow_http=True)

    me = api.account_verify_credentials()
    media = api.media_post(io.BytesIO(PNG_BYTES), mime_type="image/png", description="A tulip")
    first = api.status_post("Spring https://example.com/tulips", media_ids=[media.id], idempotency_key="k-1")
    again = api.status_post("Spring https://example.com/tulips", media_ids=[media.id], idempotency_key="k-1")

    assert me.username == "alice"
    assert media.url and media.description == "A tulip"
    assert first.id == again.id and len(sandbox.state.statuses) == 1
    assert first.media_attachments[0].id == media.id
    assert api.account_statuses(me.id)[0].id == first.id
    assert api.instance_v2().configuration.statuses.max_characters == 500
    assert api.ratelimit_remaining is not None and api.ratelimit_reset


def test_atproto_signs_in_with_an_app_password_and_writes_records_under_its_key(sandbox):
    control(sandbox, "bluesky/users", handle="bob.bsky.test", app_password="pass-word-four-five")
    client = Client(base_url=sandbox.url)
    client.login("bob.bsky.test", "pass-word-four-five")
    did = client.me.did
    blob = client.upload_blob(PNG_BYTES).blob
    record = {"$type": "app.bsky.feed.post", "text": "Tulips", "createdAt": "2026-04-01T09:00:00.000Z",
              "embed": {"$type": "app.bsky.embed.images",
                        "images": [{"alt": "A tulip", "image": blob.model_dump(mode="json", by_alias=True)}]}}
    created = client.com.atproto.repo.create_record(
        {"repo": did, "collection": "app.bsky.feed.post", "rkey": "3kabcdefghijk", "record": record})
    read = client.com.atproto.repo.get_record({"repo": did, "collection": "app.bsky.feed.post", "rkey": "3kabcdefghijk"})
    reply = client.send_post("More tulips", reply_to={"root": {"uri": created.uri, "cid": created.cid},
                                                     "parent": {"uri": created.uri, "cid": created.cid}})

    assert blob.mime_type == "image/png"
    assert created.uri == f"at://{did}/app.bsky.feed.post/3kabcdefghijk"
    assert read.cid == created.cid and read.value.text == "Tulips"
    assert read.value.embed.images[0].alt == "A tulip"
    assert reply.uri != created.uri
    try:
        client.com.atproto.repo.create_record(
            {"repo": did, "collection": "app.bsky.feed.post", "rkey": "3kabcdefghijk", "record": record})
    except BadRequestError as exc:
        assert exc.response.content.error == "InvalidRequest"
    else:
        raise AssertionError("a taken record key was accepted twice")



def test_atproto_two_accounts_uploading_the_same_image_each_keep_their_own_blob(sandbox):
    clients = []
    for handle in ("bob.bsky.test", "carol.bsky.test"):
        control(sandbox, "bluesky/users", handle=handle, app_password="pass-word-four-five")
        clients.append(Client(base_url=sandbox.url))
        clients[-1].login(handle, "pass-word-four-five")
    blobs = [client.upload_blob(PNG_BYTES).blob for client in clients]  # both before either posts

    posts = []
    for client, blob in zip(clients, blobs):
        image = {"alt": "A tulip", "image": blob.model_dump(mode="json", by_alias=True)}
        record = {"$type": "app.bsky.feed.post", "text": "Tulips", "createdAt": "2026-04-01T09:00:00.000Z",
                  "embed": {"$type": "app.bsky.embed.images", "images": [image]}}
        posts.append(client.com.atproto.repo.create_record(
            {"repo": client.me.did, "collection": "app.bsky.feed.post", "record": record}))

    assert blobs[0].ref == blobs[1].ref  # the same bytes have the same CID in every repo
    assert [p.uri.split("/")[2] for p in posts] == [c.me.did for c in clients]
