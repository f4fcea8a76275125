"""Every sandbox answer the app relies on parses with the pydantic models of X's own SDK (xdk).

The models are generated from X's OpenAPI spec and allow unknown keys, so each answer is also
walked for keys the spec does not declare: only the ones X really sends in the `tweet.fields`
dialect the app asks for (tweepy's cassettes) may be among them.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from pydantic import BaseModel
from xdk import schemas
from xdk.media import models as media_models
from xdk.posts import models as posts_models
from xdk.users import models as users_models

# Keys X sends that the spec (v2.167, "post" dialect) names differently or not at all.
TWEET_DIALECT = {"edit_history_tweet_ids", "note_tweet", "retweet_count", "referenced_tweets", "tweet_count"}
APP_TWEET_FIELDS = "created_at,public_metrics,entities,note_tweet,attachments,referenced_tweets,author_id"
APP_USER_FIELDS = "created_at,description,profile_image_url,public_metrics,verified_type,subscription_type"


def undeclared(model: BaseModel, path: str = "") -> set[str]:
    """Dotted paths of keys the model kept as extras, anywhere inside it."""
    found = {f"{path}{key}" for key in (model.model_extra or {})}
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                found |= undeclared(item, f"{path}{name}.")
    return found


def parses(model: type[BaseModel], answer: requests.Response, status: int = 200) -> BaseModel:
    assert answer.status_code == status, answer.text
    parsed = model.model_validate(answer.json())
    extra = {key.rsplit(".", 1)[-1] for key in undeclared(parsed)}
    assert extra <= TWEET_DIALECT, extra
    return parsed


@pytest.fixture
def api(sandbox, make_account):
    premium = make_account(sandbox, "pat", verified_type="blue", subscription_type="Premium")
    headers = {"Authorization": f"Bearer {premium['oauth2']['access_token']}"}

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, sandbox.url + path, headers=headers, timeout=5, **kwargs)
    call.user_id = premium["id"]
    return call


def test_post_lookup_timeline_and_delete_answers_parse(api):
    long_id = parses(posts_models.CreateResponse,
                     api("POST", "/2/tweets", json={"text": "Long & linked example.com " * 20}), 201).data.id
    reply = parses(posts_models.CreateResponse, api("POST", "/2/tweets", json={
        "text": "reply", "reply": {"in_reply_to_tweet_id": long_id}}), 201).data.id

    one = parses(posts_models.GetByIdResponse, api("GET", f"/2/tweets/{long_id}",
                                                    params={"tweet.fields": APP_TWEET_FIELDS}))
    many = parses(posts_models.GetByIdsResponse, api("GET", "/2/tweets", params={
        "ids": f"{long_id},{reply},1", "tweet.fields": APP_TWEET_FIELDS}))
    page = parses(users_models.GetPostsResponse, api("GET", f"/2/users/{api.user_id}/tweets", params={
        "tweet.fields": APP_TWEET_FIELDS, "max_results": 5}))
    deleted = parses(posts_models.DeleteResponse, api("DELETE", f"/2/tweets/{reply}"))

    assert one.data.entities.urls[0].expanded_url == "http://example.com"
    assert one.data.public_metrics.repost_count >= 0
    assert [p.id for p in many.data] == [long_id, reply] and many.errors[0].resource_id == "1"
    assert page.meta.result_count == 2 and deleted.data.deleted is True


def test_user_answers_parse(api):
    me = parses(users_models.GetMeResponse, api("GET", "/2/users/me", params={"user.fields": APP_USER_FIELDS}))
    by_id = parses(users_models.GetByIdResponse, api("GET", f"/2/users/{api.user_id}",
                                                      params={"user.fields": APP_USER_FIELDS}))
    assert me.data.verified_type == "blue" and me.data.subscription_type == "Premium"
    assert by_id.data.username == "pat"


def test_media_answers_parse(api):
    init = parses(media_models.InitializeUploadResponse, api("POST", "/2/media/upload/initialize", json={
        "media_type": "video/mp4", "total_bytes": 6, "media_category": "tweet_video"}))
    media_id = init.data.id
    parses(media_models.AppendUploadResponse, api("POST", f"/2/media/upload/{media_id}/append",
                                                  data={"segment_index": "0"}, files={"media": ("b", b"abcdef")}))
    final = parses(media_models.FinalizeUploadResponse, api("POST", f"/2/media/upload/{media_id}/finalize"))
    status = parses(media_models.GetUploadStatusResponse, api("GET", "/2/media/upload", params={
        "command": "STATUS", "media_id": media_id}))
    image = parses(media_models.UploadResponse, api("POST", "/2/media/upload", json={
        "media": base64.b64encode(b"\x89PNG\r\n\x1a\n1234").decode(), "media_category": "tweet_image"}))
    alt = parses(media_models.CreateMetadataResponse, api("POST", "/2/media/metadata", json={
        "id": image.data.id, "metadata": {"alt_text": {"text": "alt"}}}))

    assert init.data.expires_after_secs == 1295999 and final.data.expires_after_secs == 86400
    assert status.data.processing_info.state in ("in_progress", "succeeded")
    assert alt.data.associated_metadata == {"alt_text": {"text": "alt"}}


def test_failed_processing_parses_and_keeps_its_error(api, sandbox):
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"media_processing_fails": True}, timeout=5)
    image = api("POST", "/2/media/upload", files={"media": ("a.png", b"\x89PNG\r\n\x1a\n1234", "image/png")})
    parsed = schemas.MediaUploadResponse.model_validate(image.json())
    assert parsed.data.processing_info.state == "failed"
    assert parsed.data.processing_info.model_extra["error"]["name"] == "InvalidMedia"


def test_partial_errors_parse_as_the_specs_problems(api):
    answer = api("GET", "/2/tweets", params={"ids": "1"})
    parsed = posts_models.GetByIdsResponse.model_validate(answer.json())
    assert isinstance(parsed.errors[0], schemas.ResourceNotFoundProblem)
    invalid = api("GET", "/2/tweets", params={"ids": "x"}).json()
    assert schemas.InvalidRequestProblem.model_validate(invalid).type == "https://api.x.com/2/problems/invalid-request"
