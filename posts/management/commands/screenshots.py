"""Seed demo posts into an empty (throwaway) database, serve it, and save PNGs of the main pages.

Run it through `scripts/screenshots`, which makes the throwaway SQLite database and media folder.
Needs Playwright (requirements-dev.txt) and Debian's Chromium at /usr/bin/chromium.

The demo posts go the way real ones do: the X accounts are X sandbox users (xsandbox, in this
process), and the published and failed posts are approved and sent by posts.publishing; only their
dates and metrics are then set back, as if they had gone out days ago. Alice's accounts on the other
networks are saved as their connect flows would save them, with made-up tokens: the posts for them
wait for approval or their date, so nothing is sent there.
"""

import base64
import datetime as dt
import struct
import threading
import zlib
from pathlib import Path

import requests
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from platforms.linkedin import accounts as linkedin_accounts
from platforms.linkedin.client import Page
from posts import publishing, services
from posts.models import Post, TaskAssign
from socials import services as socials_services
from socials.models import Account
from xsandbox import start_sandbox

PASSWORD = "socialhub-demo"
PAGES = [
    # (file name, who, path, viewport width, full page, with the phone menu opened); who None: no login
    ("reseller-dashboard.png", "rita", "/posts/", 1280, True, False),
    ("composer.png", "rita", "/posts/new/", 1280, True, False),
    ("composer-phone.png", "rita", "/posts/new/", 390, False, False),
    ("dashboard-phone.png", "rita", "/posts/", 390, False, False),
    ("menu-phone.png", "rita", "/posts/", 390, False, True),
    ("client-inbox.png", "alice", "/posts/inbox/", 1280, True, False),
    ("calendar.png", "rita", "/posts/calendar/", 1280, True, False),
    ("post-detail.png", "rita", "/posts/{published}/", 1280, True, False),
    ("thread-detail.png", "alice", "/posts/{thread}/", 1280, True, False),
    ("agency-clients.png", "rita", "/agency/tasks/", 1280, True, False),
    ("agency-invite.png", "rita", "/agency/invitations/new/", 1280, True, False),
    ("review-link.png", None, "{review_link}", 1280, True, False),
    ("client-x-app.png", "alice", "/agency/x-app/", 1280, True, False),
    ("accounts-page.png", "alice", "/socials/accounts/", 1280, True, False),
]


def png(width: int, height: int, top: tuple, bottom: tuple) -> bytes:
    """A small vertical-gradient PNG, made without an imaging library."""
    rows = []
    for y in range(height):
        t = y / max(height - 1, 1)
        pixel = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom))
        rows.append(b"\x00" + pixel * width)
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class Command(BaseCommand):
    help = "Save screenshots of the main pages to docs/screenshots/ (seeds an EMPTY database: use scripts/screenshots)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="docs/screenshots")

    def handle(self, *args, out, **options):
        if User.objects.exists():
            raise CommandError("This command seeds demo data: run it on an empty, throwaway database (scripts/screenshots).")
        with start_sandbox(port=0, quiet=True) as sandbox, override_settings(
            X_API_URL=sandbox.url, X_WEB_URL=sandbox.url
        ):
            ids = self.seed(sandbox.url)
        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
        server.set_app(StaticFilesHandler(get_internal_wsgi_application()))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            self.capture(f"http://127.0.0.1:{server.server_port}", Path(out), ids)
        finally:
            server.shutdown()

    @transaction.atomic
    def seed(self, x_url: str) -> dict:
        def person(username, full_name, role, tz):
            first, last = full_name.split(" ", 1)
            user = User(username=username, first_name=first, last_name=last, role=role, time_zone=tz,
                        email=f"{username}@example.com")
            user.set_password(PASSWORD)
            user.save()
            return user

        person("sam", "Sam Staff", User.Role.STAFF, "UTC")
        rita = person("rita", "Rita Reseller", User.Role.RESELLER, "Europe/Paris")
        alice = person("alice", "Alice Flowers", User.Role.CLIENT, "Europe/Paris")
        bob = person("bob", "Bob Baker", User.Role.CLIENT, "America/New_York")
        spring = TaskAssign.objects.create(user=alice, reseller=rita, title="Spring collection")
        bakery = TaskAssign.objects.create(user=bob, reseller=rita, title="Weekend specials")
        accounts = {}
        for user, username, name in [(alice, "alice_flowers", "Alice's Flowers"), (bob, "bobs_bakery", "Bob's Bakery")]:
            x_user = requests.post(f"{x_url}/_sandbox/users", json={"username": username}, timeout=10).json()
            accounts[user.pk] = socials_services.connect_account(
                user=user, provider_account_id=x_user["id"], username=username, name=name,
                token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=x_user["oauth2"]["access_token"],
                oauth2_refresh_token=x_user["oauth2"]["refresh_token"],
                expires_at=timezone.now() + dt.timedelta(seconds=x_user["oauth2"]["expires_in"]),
            ).account
        networks = self.seed_networks(alice)
        now = timezone.now().replace(minute=0, second=0, microsecond=0)

        def post(task, content, tags=(), *, image=None, alt="", schedule=None, on=(), **fields):
            files = [ContentFile(png(640, 360, *image), name="photo.png")] if image else []
            return services.create_post(
                author=rita, task=task, content=content, hashtags=list(tags),
                account_ids=[accounts[task.user_id].pk, *(networks[n].pk for n in on)], schedule_at=schedule,
                media_files=files, alt_texts=[alt] if image else [], **fields,
            )

        def send(p):
            services.review_post(actor=p.task.user, post=p, action=1)
            return publishing.publish_post(post_id=p.pk)

        def published(p, days_ago, metrics):
            assert send(p).status == Post.Status.PUBLISHED
            when = now - dt.timedelta(days=days_ago)  # as if it went out then, and was read since
            Post.objects.filter(pk=p.pk).update(published_at=when)
            p.channels.update(published_at=when, metrics=metrics)
            return p

        first = published(
            post(spring, "Our spring bouquets are here: tulips, ranunculus and the first peonies 🌷 "
                 "Order for Saturday delivery at https://example.com/spring", ["spring", "flowers"],
                 image=((255, 183, 197), (214, 51, 108)), alt="A bouquet of pink tulips and peonies"),
            2, {"impression_count": 1840, "like_count": 96, "retweet_count": 12, "reply_count": 7},
        )
        published(post(bakery, "Fresh sourdough every Saturday from 7am 🍞", ["bread"]), 5,
                  {"impression_count": 410, "like_count": 33, "retweet_count": 2, "reply_count": 1})
        # X refuses it as a duplicate (of a tweet Bob wrote on X long ago, older than the sandbox).
        requests.post(f"{x_url}/_sandbox/faults/next", timeout=10, json={
            "path": "/2/tweets", "method": "POST", "status": 403, "body": {
                "title": "Forbidden", "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank", "status": 403}}).raise_for_status()
        assert send(post(bakery, "Croissants are back!", ["pastry"])).status == Post.Status.FAILED
        rejected = post(spring, "BUY NOW!!! 50% off everything", ["sale"])
        services.review_post(actor=alice, post=rejected, action=2,
                             feedback="Too pushy for us: invite people to visit instead, and no capitals please.")
        for days, text, tag, on in [
            (1, "Mother's Day pre-orders open tomorrow 💐", "mothersday", ("mastodon", "bluesky", "facebook")),
            (3, "Workshop: build your own wreath", "workshop", ("linkedin_page",)),
        ]:
            scheduled = post(spring, text, [tag], schedule=now + dt.timedelta(days=days, hours=2), on=on)
            services.review_post(actor=alice, post=scheduled, action=1)
        post(spring, "Meet Léa, our new florist 🌼 She trained in Kyoto and loves ikebana.", ["team"],
             image=((255, 236, 179), (255, 160, 0)), alt="Léa arranging yellow flowers",
             schedule=now + dt.timedelta(days=4, hours=3), on=("linkedin", "facebook"),
             text_overrides={"linkedin": "We are delighted to welcome Léa to the team. She trained in Kyoto, "
                                         "and brings the art of ikebana to our spring arrangements."})
        post(spring, "Rainy day? Our café corner serves hot chocolate with every bouquet ☕", ["cozy"])
        post(spring, "Thank you for 1,000 followers! 🎉 A small gift for the first 50 visitors this week.")
        post(bakery, "New: cardamom buns, Fridays only", ["fika"], schedule=now + dt.timedelta(days=6))
        review_link = self.seed_agency(rita, alice, spring)
        thread = services.create_post(
            author=rita, task=spring, hashtags=["workshop"], account_ids=[accounts[alice.pk].pk], parts=[
                {"content": "Our wreath workshop is back this Saturday 🌿 A thread on what we will make:"},
                {"content": "1. A base of willow and moss, shaped by hand. Everything is seasonal and local."},
                {"content": "2. Dried flowers and ribbons of your choice. Tea and cake included! Book at "
                            "https://example.com/workshop"},
            ],
        )
        return {"published": first.pk, "thread": thread.pk, "review_link": review_link}

    def seed_networks(self, client) -> dict:
        """The client's accounts on the other networks, saved as each connect flow saves them (made-up
        tokens: nothing is sent to them)."""
        in_60_days = timezone.now() + dt.timedelta(days=60)

        def connect(provider, account_id, username, name="", **fields):
            return socials_services.connect_account(
                user=client, provider=provider, provider_account_id=account_id, username=username, name=name,
                token_type=Account.TokenType.OAUTH2_USER, oauth2_access_token=f"demo-{provider}-token", **fields,
            ).account

        member = connect("linkedin", "kQ3n_Alice", "kQ3n_Alice", "Alice Flowers", expires_at=in_60_days)
        return {
            "mastodon": connect("mastodon", "109345", "alicesflowers", "Alice's Flowers",
                                server_url="https://mastodon.social"),
            "bluesky": socials_services.connect_account(
                user=client, provider="bluesky", server_url="https://bsky.social",
                provider_account_id="did:plc:7iza6de2dwap2sbkpav7c6c6", username="alicesflowers.bsky.social",
                token_type=Account.TokenType.APP_PASSWORD, oauth2_access_token="demo-bluesky-access",
                oauth2_refresh_token="demo-bluesky-refresh",
            ).account,
            "linkedin": member,
            "linkedin_page": linkedin_accounts.connect_page(
                member, Page(id="90817263", name="Alice's Flowers", vanity="alices-flowers")).account,
            "facebook": connect("facebook", "104729836615", "", "Alice's Flowers"),
            "instagram": connect("instagram", "17841405822304", "alices.flowers", "Alice's Flowers",
                                 expires_at=in_60_days),
        }

    def seed_agency(self, rita, alice, spring) -> str:
        """An invitation, a comment thread and a review link (its path is returned)."""
        from agency import comments, invitations, review_links

        invitations.invite_client(actor=rita, email="carol@example.com", name="Carol Jones", task_title="Bakery")
        waiting = list(spring.posts.pending().order_by("pk"))[:2]
        comments.add_comment(actor=rita, post=waiting[0], body="Léa is happy to be tagged if you like.")
        comments.add_comment(actor=alice, post=waiting[0], body="Lovely! Could we add her photo from the shop?")
        link = review_links.create_link(actor=rita, posts=waiting)
        return review_links.url_for(link).replace(settings.SITE_URL, "")

    def capture(self, base: str, out: Path, ids: dict) -> None:
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

        out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, who, path, width, full, open_menu in PAGES:
                self.stdout.write(f"{name}: {who or 'anyone'} at {path.format(**ids)}")
                context = browser.new_context(base_url=base, viewport={"width": width, "height": 800},
                                              device_scale_factor=1)
                page = context.new_page()
                if who:  # else the page is public (a review link)
                    page.goto("/accounts/login/")
                    page.fill("input[name=login]", who)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("form button[type=submit]")
                    page.wait_for_load_state("networkidle")
                page.goto(path.format(**ids))
                if path == "/posts/new/":
                    self.fill_composer(page)
                page.wait_for_load_state("networkidle")
                page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
                if open_menu:
                    page.click("[data-menu-toggle]")
                page.screenshot(path=str(out / name), full_page=full)
                context.close()
            browser.close()

    def fill_composer(self, page) -> None:
        """A post to the client's accounts on all six networks, with a text of its own for LinkedIn (long
        enough for its "see more"), and a JPEG (Instagram takes no other images), drawn by the browser:
        there is no imaging library here."""
        page.select_option("#id_task", label="Alice Flowers: Spring collection")
        page.fill("#id_content", "Peony season starts Saturday 🌸 Come early, they go fast! "
                                 "Opening hours: https://example.com/visit")
        page.fill("#id_hashtags", "#peonies spring")
        for account in ["@alice_flowers", "(Mastodon)", "(Bluesky)", "Alice's Flowers (LinkedIn)", "(Facebook Page)",
                        "(Instagram)"]:
            page.locator("label.check", has_text=account).locator("input").check()
        page.fill("#id_text_linkedin", "Peony season starts this Saturday at Alice's Flowers. Our growers in the "
                                       "Loire valley picked the first stems this week: come early, they go fast. "
                                       "We also make bouquets to order for weddings and events: ask the team.")
        photo = page.evaluate("""() => {
            const canvas = Object.assign(document.createElement("canvas"), {width: 640, height: 360});
            const draw = canvas.getContext("2d"), fill = draw.createLinearGradient(0, 0, 0, 360);
            fill.addColorStop(0, "rgb(250, 208, 220)"); fill.addColorStop(1, "rgb(190, 60, 120)");
            draw.fillStyle = fill; draw.fillRect(0, 0, 640, 360);
            return canvas.toDataURL("image/jpeg", 0.9).split(",")[1];
        }""")
        page.set_input_files("[data-media-input]", files=[{
            "name": "peonies.jpg", "mimeType": "image/jpeg", "buffer": base64.b64decode(photo),
        }])
        page.fill("#alt-0", "Pink peonies in a glass vase")
        page.check("input[name=when][value=at]")
        page.fill("#id_schedule_at", (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT10:00"))
        page.wait_for_timeout(600)  # the debounced server count and preview
