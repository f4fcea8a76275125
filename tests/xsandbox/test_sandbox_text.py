"""The weighted tweet length."""
from __future__ import annotations

import pytest

from xsandbox.text import weighted_length


@pytest.mark.parametrize("text, expected", [
    ("hello", 5),
    ("café", 4),
    ("日本語", 6),
    ("👍", 2),
    ("👍🏽", 2),
    ("👨\u200d👩\u200d👧", 2),
    ("see https://example.com/a/very/long/path/indeed ok", 30),
    ("e\u0301", 1),  # NFC turns e + combining accent into é
])
def test_weighted_length(text, expected):
    assert weighted_length(text) == expected
