"""Record keys as TIDs (atproto.com/specs/tid): 64 bits, top bit 0, then 53 bits of microseconds
since the epoch and 10 bits of clock id, written as 13 characters of base32-sortable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the sandbox imports this module without Django
    from socials.publishers import AttemptKey

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def tid(micros: int, clock_id: int) -> str:
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 1023)
    out = []
    for _ in range(13):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def for_attempt(key: "AttemptKey") -> str:
    """The record key of one part of one channel, the same at every attempt: written by the claim
    (the first attempt's time) before anything is sent. Parts of a thread get increasing keys;
    the channel id as clock id keeps two channels of one account apart."""
    return tid(key.micros + key.position, key.channel_id % 1024)


def valid(value: str) -> bool:
    return bool(PATTERN.match(value or ""))
