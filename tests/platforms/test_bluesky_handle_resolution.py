"""A Bluesky handle resolves to a DID the way atproto specifies (DNS TXT _atproto.<handle>, else
https://<handle>/.well-known/atproto-did), whose document must claim the handle back and names the
PDS. The sandbox stands in for the handle's web server and the PLC directory; DNS is a resolver
given to the lookup (dnspython records)."""

import dns.resolver
import dns.rrset
import pytest
from django.urls import reverse

from platforms.bluesky import identity
from socials.models import Account
from socials.publishers import PublishError
from tests.platforms.conftest import BLUESKY_HANDLE, BLUESKY_PASSWORD
from tests.platforms.helpers import control

CONNECT = reverse("platforms:bluesky-connect")
NOWHERE = "http://127.0.0.1:9/{handle}"  # nothing listens there


class Dns:
    """A DNS resolver answering TXT records from a table, NXDOMAIN for the rest; it notes what it was asked."""

    def __init__(self, records: dict[str, str]):
        self.records, self.asked = records, []

    def resolve(self, qname, rdtype, *, lifetime=None):
        self.asked.append((qname, rdtype))
        if qname not in self.records:
            raise dns.resolver.NXDOMAIN()
        return dns.rrset.from_text(qname + ".", 300, "IN", "TXT", f'"{self.records[qname]}"')


@pytest.fixture
def alice_did(sandbox):
    return control(sandbox, "bluesky/users", handle=BLUESKY_HANDLE, app_password=BLUESKY_PASSWORD)["did"]


def test_a_handle_resolves_over_https_to_its_did_and_the_pds_its_document_names(sandbox, alice_did):
    who = identity.resolve("@Alice.bsky.test", dns_resolver=None)

    assert who == identity.Identity(did=alice_did, handle=BLUESKY_HANDLE, pds=sandbox.url)


def test_dns_is_asked_first_and_its_txt_record_is_enough(settings, sandbox, alice_did):
    settings.BLUESKY_HANDLE_DID_URL = NOWHERE
    resolver = Dns({f"_atproto.{BLUESKY_HANDLE}": f"did={alice_did}"})

    who = identity.resolve(BLUESKY_HANDLE, dns_resolver=resolver)

    assert who.did == alice_did and who.pds == sandbox.url
    assert resolver.asked == [(f"_atproto.{BLUESKY_HANDLE}", "TXT")]


def test_without_a_dns_record_the_handle_s_web_server_is_asked(sandbox, alice_did):
    resolver = Dns({})

    assert identity.resolve(BLUESKY_HANDLE, dns_resolver=resolver).did == alice_did
    assert resolver.asked  # asked, found nothing, then HTTPS answered


def test_a_dns_record_naming_another_account_s_did_is_refused(settings, sandbox, alice_did):
    bob = control(sandbox, "bluesky/users", handle="bob.bsky.test", app_password="x")
    settings.BLUESKY_HANDLE_DID_URL = NOWHERE

    with pytest.raises(PublishError) as refused:
        identity.resolve(BLUESKY_HANDLE, dns_resolver=Dns({f"_atproto.{BLUESKY_HANDLE}": f"did={bob['did']}"}))

    assert refused.value.permanent and "does not claim that handle" in refused.value.user_message


def test_a_handle_nobody_has_is_not_found(sandbox):
    with pytest.raises(PublishError) as missing:
        identity.resolve("nobody.bsky.test", dns_resolver=Dns({}))

    assert missing.value.kind == "not_found" and missing.value.permanent
    assert "No Bluesky account has the handle @nobody.bsky.test" in missing.value.user_message


def test_a_directory_that_cannot_be_reached_is_worth_another_try(settings, sandbox, alice_did):
    settings.BLUESKY_PLC_URL = "http://127.0.0.1:9"

    with pytest.raises(PublishError) as failed:
        identity.resolve(BLUESKY_HANDLE, dns_resolver=None)

    assert not failed.value.permanent and failed.value.kind == "connection"


def test_a_did_typed_in_is_read_from_the_directory(sandbox, alice_did):
    assert identity.resolve(alice_did).handle == BLUESKY_HANDLE


@pytest.mark.parametrize("typed", ["alice", "alice..bsky.test", "al ice.bsky.test", "ålice.bsky.test", "alice.bsky.1"])
def test_what_is_not_a_handle_is_refused_before_any_lookup(typed):
    with pytest.raises(PublishError) as refused:
        identity.resolve(typed, dns_resolver=Dns({}))

    assert "is not a Bluesky handle" in refused.value.user_message


# "Sign in with Bluesky" says it next to its field too: tests/platforms/test_connect_bluesky_oauth.py.
def test_a_handle_that_does_not_resolve_is_said_next_to_the_app_password_field(client, sandbox, alice):
    client.force_login(alice)

    page = client.post(CONNECT, {"handle": "nobody.bsky.test", "app_password": BLUESKY_PASSWORD})

    assert page.status_code == 200
    assert page.context["form"].errors["handle"] == [
        "No Bluesky account has the handle @nobody.bsky.test: check its spelling (for example you.bsky.social)."]
    assert not Account.objects.filter(provider="bluesky").exists()


def test_an_unreachable_directory_is_a_form_error_too(client, settings, sandbox, alice_did, alice):
    settings.BLUESKY_PLC_URL = "http://127.0.0.1:9"
    client.force_login(alice)

    page = client.post(CONNECT, {"handle": BLUESKY_HANDLE, "app_password": BLUESKY_PASSWORD})

    assert page.status_code == 200
    assert "could not be read for this account: try again" in page.context["form"].errors["handle"][0]
