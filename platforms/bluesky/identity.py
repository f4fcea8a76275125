"""Who a Bluesky handle is, the way atproto specifies it (atproto.com/specs/handle, specs/did):

1. the handle resolves to a DID: a DNS TXT record `_atproto.<handle>` holding `did=<did>`, else
   the first line of `https://<handle>/.well-known/atproto-did`;
2. the DID resolves to its document: did:plc from the PLC directory (BLUESKY_PLC_URL), did:web from
   `https://<domain>/.well-known/did.json`;
3. the document must claim the handle back (`alsoKnownAs: at://<handle>`), and names the account's
   PDS (`#atproto_pds`): the server every later call goes to.

The `atproto` library's resolvers do the work (atproto_identity 0.0.73: `HandleResolver`,
`DidResolver`). Its HandleResolver asks the system's DNS and always fetches https://<handle>, so a
subclass takes the DNS resolver and the well-known URL (BLUESKY_HANDLE_DID_URL, so the sandbox can
stand in for a handle's web server) instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import dns.exception
import dns.resolver
import httpx
from atproto_client.models.string_formats import DID_RE, is_valid_handle
from atproto_core.exceptions import AtProtocolError
from atproto_identity.did.resolver import DidResolver
from atproto_identity.exceptions import DidPlcResolverError, DidWebResolverError
from atproto_identity.handle.resolver import HandleResolver
from django.conf import settings

from socials.publishers import PublishError

from .. import common

log = logging.getLogger(__name__)


class DnsResolver(Protocol):
    """What the handle lookup asks of DNS: dnspython's Resolver.resolve (a `dns.resolver.Resolver`)."""

    def resolve(self, qname: str, rdtype: str, *, lifetime: float | None = None): ...


@dataclass(frozen=True)
class Identity:
    did: str
    handle: str  # the handle the DID document claims ("" when it claims none)
    pds: str  # the account's PDS, without a trailing slash


def is_handle_or_did(value: str) -> bool:
    """Whether `value` is a handle (a domain name, atproto's syntax) or a DID, before any lookup."""
    return value.isascii() and (is_valid_handle(value) or bool(DID_RE.match(value)))


class _HandleResolver(HandleResolver):
    def __init__(self, *, dns_resolver: DnsResolver | None, http: httpx.Client, timeout: float):
        # Not HandleResolver.__init__: it would open an httpx client of its own and use the system's DNS.
        self._timeout = timeout
        self._dns_resolver = dns_resolver
        self._http_client = http

    def resolve_dns(self, handle: str) -> str | None:
        if self._dns_resolver is None:
            return None
        return super().resolve_dns(handle)

    def resolve_http(self, handle: str) -> str | None:
        url = settings.BLUESKY_HANDLE_DID_URL.format(handle=handle)
        try:
            response = self._http_client.get(url, timeout=self._timeout)
            response.raise_for_status()
        except httpx.HTTPError:
            return None
        return self._get_did_from_text_response(response.text)


def system_dns() -> DnsResolver | None:
    """The machine's DNS resolver, or None where handles are not looked up in DNS (BLUESKY_HANDLE_DNS
    off: the sandbox, the tests) or the machine has no DNS configured."""
    if not settings.BLUESKY_HANDLE_DNS:
        return None
    try:
        return dns.resolver.Resolver()
    except dns.exception.DNSException as exc:
        log.warning("No DNS resolver for Bluesky handles (%s): only /.well-known/atproto-did is asked", exc)
        return None


@lru_cache(maxsize=4)
def _did_resolver(plc_url: str, timeout: float) -> DidResolver:
    # One per PLC directory for the process: each opens httpx clients that are never closed.
    return DidResolver(plc_url=plc_url, timeout=timeout)


def resolve(handle_or_did: str, *, dns_resolver: DnsResolver | None | bool = True) -> Identity:
    """The account behind a handle (or a DID typed in), checked both ways. `dns_resolver`: True for
    system_dns(), None to skip DNS, or a resolver of one's own (tests).

    Raises PublishError: permanent, with a message for the handle's form field, when the handle does
    not resolve or its DID document disowns it; a retry when a server could not be reached."""
    value = handle_or_did.strip().lstrip("@").lower()
    if not is_handle_or_did(value):
        raise common.permanent("bad_request", f"@{value} is not a Bluesky handle: it looks like you.bsky.social.")
    if value.startswith("did:"):
        return of_did(value)
    resolver = system_dns() if dns_resolver is True else dns_resolver
    with httpx.Client(follow_redirects=True, max_redirects=3) as http:
        did = _HandleResolver(dns_resolver=resolver, http=http, timeout=settings.BLUESKY_TIMEOUT).resolve(value)
    if not did or not DID_RE.match(did):
        raise common.permanent(
            "not_found", f"No Bluesky account has the handle @{value}: check its spelling (for example you.bsky.social).")
    who = of_did(did)
    if who.handle != value:  # anyone can point a DNS record at someone else's DID
        raise common.permanent("auth", f"The Bluesky account behind @{value} does not claim that handle.")
    return who


def of_did(did: str) -> Identity:
    """The DID document's handle and PDS. Raises PublishError."""
    try:
        document = _did_resolver(settings.BLUESKY_PLC_URL, settings.BLUESKY_TIMEOUT).resolve(did)
    except (DidPlcResolverError, DidWebResolverError, ValueError) as exc:  # unreachable, refused, or not JSON
        log.warning("Resolving %s failed: %r", did, exc)
        raise common.retry("connection", "Bluesky's directory could not be read for this account: try again.") from exc
    except AtProtocolError as exc:  # a DID method atproto does not use, or a malformed document
        raise common.permanent("not_found", f"{did} is not a Bluesky account.") from exc
    if document is None:
        raise common.permanent("not_found", f"Bluesky's directory knows no account {did}.")
    pds = document.get_pds_endpoint()
    if not pds:
        raise common.permanent("auth", "This Bluesky account names no server to write to.")
    return Identity(did=did, handle=(document.get_handle() or "").lower(), pds=pds.rstrip("/"))
