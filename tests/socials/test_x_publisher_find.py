"""XPublisher.find: after a lost answer, the account's tweet is recognised as X stores it (escaped,
links as t.co with entities.urls, long text in note_tweet), reading only since the first attempt.
The tweets are in the shape of X's answers (tweepy's cassettes; X's data dictionary)."""

import datetime as dt

import pytest
from django.utils import timezone

from platforms.x.publisher import CLOCK_SKEW, LOOKUP_PAGES, XPublisher
from tests.conftest import X_API

API = X_API


pytestmark = pytest.mark.usefixtures("x_api")


def timeline(x, account, *tweets, next_token=None):
    meta = {"result_count": len(tweets), **({"next_token": next_token} if next_token else {})}
    x.get(f"{API}/2/users/{account.provider_account_id}/tweets", json={"data": list(tweets), "meta": meta})


def now_iso() -> str:
    return timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def url_entity(start, end, url, expanded, display, **extra):
    return {"start": start, "end": end, "url": url, "expanded_url": expanded, "display_url": display, **extra}


def find(account, text, since=None):
    return XPublisher().find(account, text=text, since=since or timezone.now() - dt.timedelta(minutes=1))


def test_escaped_text_is_found(alice_account, x):
    # tweepy's test_client_get_home_timeline.yaml has "NYC &lt; London": X escapes &, < and >.
    timeline(x, alice_account, {"id": "1", "created_at": now_iso(), "text": "NYC &lt; London &amp; Paris &gt; Rome"})

    found = find(alice_account, "NYC < London & Paris > Rome")

    assert found and found.remote_id == "1"


def test_a_bare_domain_and_a_link_are_matched_through_entities_urls(alice_account, x):
    text = "Read https://t.co/AbC123xyz9 today and https://t.co/QwE456rty0 too"
    timeline(x, alice_account, {"id": "2", "created_at": now_iso(), "text": text, "entities": {"urls": [
        url_entity(5, 28, "https://t.co/AbC123xyz9", "http://example.com/news", "example.com/news"),
        url_entity(39, 62, "https://t.co/QwE456rty0", "https://www.Example.org/a?b=1", "example.org/a?b=1"),
    ]}})

    found = find(alice_account, "Read example.com/news today and https://www.Example.org/a?b=1 too")

    assert found and found.remote_id == "2"


def test_the_link_x_appends_for_media_is_not_part_of_the_text(alice_account, x):
    timeline(x, alice_account, {"id": "3", "created_at": now_iso(), "text": "Launch day https://t.co/PiC0000001",
                                "entities": {"urls": [url_entity(11, 34, "https://t.co/PiC0000001",
                                                                 "https://x.com/alice_x/status/3/photo/1",
                                                                 "pic.x.com/PiC0000001", media_key="3_3")]}})

    assert find(alice_account, "Launch day").remote_id == "3"


def test_a_long_post_is_compared_with_its_whole_text_in_note_tweet(alice_account, x):
    whole = ("Long story " * 40).strip() + " see example.com"
    timeline(x, alice_account, {
        "id": "4", "created_at": now_iso(),
        "text": whole[:270] + "… https://t.co/MoRe000001",
        "entities": {"urls": [url_entity(272, 295, "https://t.co/MoRe000001", "https://x.com/i/web/status/4",
                                          "x.com/i/web/status/4…")]},
        "note_tweet": {"text": whole.replace("example.com", "https://t.co/NoTe000001"), "entities": {"urls": [
            url_entity(0, 0, "https://t.co/NoTe000001", "http://example.com", "example.com")]}},
    })

    assert find(alice_account, whole).remote_id == "4"


def test_a_different_text_is_not_taken_for_ours(alice_account, x):
    timeline(x, alice_account, {"id": "5", "created_at": now_iso(), "text": "NYC &lt; London"})

    assert find(alice_account, "NYC &lt; London") is None  # we wrote the escape ourselves: not the same


def test_the_lookup_asks_for_what_x_stores_since_the_first_attempt_only(alice_account, x):
    since = timezone.now() - dt.timedelta(minutes=30)
    timeline(x, alice_account, {"id": "9", "created_at": now_iso(), "text": "other"}, next_token="p2")
    timeline(x, alice_account, {"id": "8", "created_at": now_iso(), "text": "ours"})

    found = find(alice_account, "ours", since=since)

    assert found.remote_id == "8"
    first, second = (c.request.params for c in x.calls)
    assert first["tweet.fields"].split(",") == ["created_at", "entities", "note_tweet", "referenced_tweets"]
    assert first["start_time"] == (since - CLOCK_SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first["max_results"] == "100"
    assert second["pagination_token"] == "p2"


def test_the_lookup_reads_a_bounded_number_of_pages(alice_account, x):
    timeline(x, alice_account, {"id": "9", "created_at": now_iso(), "text": "other"}, next_token="again")

    assert find(alice_account, "ours") is None
    assert len(x.calls) == LOOKUP_PAGES


def test_a_link_in_brackets_is_matched(alice_account, x):
    timeline(x, alice_account, {"id": "6", "created_at": now_iso(), "text": "Docs (https://t.co/BrAcKeT001)!",
                                "entities": {"urls": [url_entity(6, 29, "https://t.co/BrAcKeT001",
                                                                 "http://docs.example.com", "docs.example.com")]}})

    assert find(alice_account, "Docs (docs.example.com)!").remote_id == "6"
