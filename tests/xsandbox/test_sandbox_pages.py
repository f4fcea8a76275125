"""The pages X's web links point at: posts and profiles, marked as the sandbox; 404 pages otherwise."""
from __future__ import annotations

import requests


def post(sandbox, account, text, **extra) -> str:
    answer = requests.post(f"{sandbox.url}/2/tweets", json={"text": text, **extra}, timeout=5,
                           headers={"Authorization": f"Bearer {account['oauth2']['access_token']}"})
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["id"]


def test_a_post_has_a_page_marked_as_the_sandbox_with_its_text_escaped(sandbox, alice):
    tweet_id = post(sandbox, alice, "<script>alert(1)</script> & see example.com")

    page = requests.get(f"{sandbox.url}/alice_x/status/{tweet_id}", timeout=5)

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "X sandbox" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; see <a href='http://example.com'" in page.text
    assert "&amp;amp;" not in page.text  # X's stored escaping is undone before escaping for HTML
    assert "href='/alice_x'" in page.text


def test_the_i_web_address_and_a_wrong_username_lead_to_the_post(sandbox, alice):
    tweet_id = post(sandbox, alice, "hello")
    assert "hello" in requests.get(f"{sandbox.url}/i/web/status/{tweet_id}", timeout=5).text
    wrong = requests.get(f"{sandbox.url}/someone/status/{tweet_id}", timeout=5, allow_redirects=False)
    assert wrong.status_code == 302 and wrong.headers["Location"] == f"/alice_x/status/{tweet_id}"


def test_a_profile_lists_its_posts_newest_first(sandbox, alice):
    first, second = post(sandbox, alice, "first"), post(sandbox, alice, "second")
    page = requests.get(f"{sandbox.url}/alice_x", timeout=5)
    assert page.status_code == 200 and "X sandbox" in page.text and "@alice_x" in page.text
    assert page.text.index(f"/status/{second}") < page.text.index(f"/status/{first}")


def test_unknown_deleted_and_missing_pages_are_404_html(sandbox, alice):
    tweet_id = post(sandbox, alice, "bye")
    requests.delete(f"{sandbox.url}/2/tweets/{tweet_id}", timeout=5,
                    headers={"Authorization": f"Bearer {alice['oauth2']['access_token']}"})
    for path in (f"/alice_x/status/{tweet_id}", "/alice_x/status/123", "/nobody", "/nobody/likes",
                 "/<b>x</b>"):
        page = requests.get(sandbox.url + path, timeout=5)
        assert page.status_code == 404, path
        assert page.headers["Content-Type"].startswith("text/html") and "X sandbox" in page.text
        assert "<b>x</b>" not in page.text
    api = requests.get(f"{sandbox.url}/2/nothing", timeout=5)
    assert api.status_code == 404 and api.headers["Content-Type"].startswith("application/problem+json")


def test_the_home_page_links_every_profile(sandbox, alice):
    page = requests.get(sandbox.url + "/", timeout=5)
    assert "href='/alice_x'" in page.text
