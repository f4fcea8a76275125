"""The web pages X's links point at, so "View on X" works in sandbox mode.

`/<username>/status/<id>` (and `/i/web/status/<id>`) show a post the sandbox holds, `/<username>`
a profile with its latest posts. Every page is marked "X sandbox"; anything else is a 404 page.
All text is escaped; links in posts point at their expanded URL, as on X.
"""
from __future__ import annotations

from html import escape, unescape

from . import pages
from .state import SandboxState, Tweet, User
from .tweets import iso_time
from .web import Request, Response, html_response, redirect

PROFILE_POSTS = 20


def status_page(state: SandboxState, req: Request, tweet_id: str, username: str | None = None) -> Response:
    """GET /<username>/status/<id>: the post; a wrong username redirects to the author's address."""
    with state.lock:
        tweet = state.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            return not_found("This post doesn't exist, or it was deleted.")
        author = state.users[tweet.author_id]
        if username is not None and username.lower() != author.username.lower():
            return redirect(f"/{author.username}/status/{tweet.id}")
        body = (f"<article>{_author_line(author)}<p class='text'>{_text_html(tweet)}</p>"
                f"{_details(state, tweet)}</article>")
    return html_response(200, pages.sandbox_page(f"@{author.username} on X sandbox", body))


def profile_page(state: SandboxState, req: Request, username: str) -> Response:
    """GET /<username>: the profile and its latest posts, newest first."""
    with state.lock:
        user_id = state.user_ids_by_name.get(username.lower())
        if user_id is None:
            return not_found("This account doesn't exist.")
        user = state.users[user_id]
        posts = sorted((t for t in state.tweets.values() if t.author_id == user.id and not t.deleted),
                       key=lambda t: int(t.id), reverse=True)
        items = "".join(
            f"<li><a href='/{escape(user.username)}/status/{t.id}'>{escape(iso_time(t.created_at))}</a>"
            f"<p class='text'>{_text_html(t)}</p></li>" for t in posts[:PROFILE_POSTS])
    listing = f"<ol class='posts'>{items}</ol>" if items else "<p>No posts yet.</p>"
    body = f"{_author_line(user)}<p>{len(posts)} posts</p>{listing}"
    return html_response(200, pages.sandbox_page(f"{user.name} (@{user.username}) on X sandbox", body))


def not_found(message: str = "This page doesn't exist.") -> Response:
    return html_response(404, pages.sandbox_page("Page not found on X sandbox",
                                                 f"<h2>Page not found</h2><p>{escape(message)}</p>"))


def _author_line(user: User) -> str:
    badge = f" <span class='badge'>{escape(user.verified_type)}</span>" if user.verified_type != "none" else ""
    return (f"<p class='author'><strong>{escape(user.name)}</strong>{badge} "
            f"<a href='/{escape(user.username)}'>@{escape(user.username)}</a></p>")


def _text_html(tweet: Tweet) -> str:
    """The whole post, unescaped from X's storage and escaped again for HTML; t.co links shown as
    their display URL, linking to the expanded URL."""
    parts, position = [], 0
    for url in sorted(tweet.urls, key=lambda u: u["start"]):
        parts.append(escape(unescape(tweet.text[position:url["start"]])))
        parts.append(f"<a href='{escape(url['expanded_url'])}' rel='nofollow noopener'>"
                     f"{escape(url['display_url'])}</a>")
        position = url["end"]
    parts.append(escape(unescape(tweet.text[position:])))
    return "".join(parts).replace("\n", "<br>")


def _details(state: SandboxState, tweet: Tweet) -> str:
    lines = [f"<time>{escape(iso_time(tweet.created_at))}</time>"]
    if tweet.media_ids:
        lines.append(f"{len(tweet.media_ids)} media attached")
    if tweet.reply_to and tweet.reply_to in state.tweets:
        parent = state.tweets[tweet.reply_to]
        lines.append(f"Replying to <a href='/{escape(state.users[parent.author_id].username)}/status/{parent.id}'>"
                     "this post</a>")
    if tweet.quote_of:
        lines.append(f"Quotes <a href='/i/web/status/{escape(tweet.quote_of)}'>this post</a>")
    return "<p class='meta'>" + " · ".join(lines) + "</p>"
