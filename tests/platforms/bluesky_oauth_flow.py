"""Going through "Sign in with Bluesky" against the sandbox as a browser would: the connect page,
the link to the sandbox's consent page, Authorize, and back to SocialHub's callback."""

import re
from html import unescape
from urllib.parse import urlsplit

import requests
from django.urls import reverse

from tests.platforms.helpers import control

CONNECT = reverse("platforms:bluesky-connect")
METADATA = reverse("platforms:bluesky-client-metadata")


def publish_client_metadata(client, sandbox) -> dict:
    """What the sandbox's authorization server would fetch from SocialHub's client_id URL (the
    Django test client serves no socket, so the document is handed over as a server's cache)."""
    document = client.get(METADATA).json()
    control(sandbox, "bluesky/clients", **document)
    return document


def authorize_link(client, sandbox, handle: str, **extra) -> str:
    publish_client_metadata(client, sandbox)
    page = client.post(CONNECT, {"oauth-handle": handle, **extra})
    assert page.status_code == 200, page.content
    found = re.search(r'href="([^"]+)" data-authorize', page.content.decode())
    assert found, page.content.decode()
    return unescape(found.group(1))


def consent(link: str, handle: str, decision: str = "approve") -> str:
    """Open the consent page and decide; returns the callback path and query Bluesky sends back to."""
    page = requests.get(link, timeout=5)
    assert page.status_code == 200 and "Authorize SocialHub" in page.text, page.text
    fields = dict(re.findall(r'name="(client_id|request_uri)" value="([^"]*)"', page.text))
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(link))
    answer = requests.post(f"{origin}/oauth/authorize", data={**{k: unescape(v) for k, v in fields.items()},
                                                              "handle": handle, "decision": decision},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def sign_in_with_bluesky(client, sandbox, handle: str, **extra):
    return client.get(consent(authorize_link(client, sandbox, handle, **extra), handle), follow=True)
