"""Text as X counts and stores it: twitter-text's own conformance cases, escaping, t.co links, cutting."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xsandbox.text import ELLIPSIS, MAX_WEIGHTED_LENGTH, store, weighted_length
from twitter_text import parse_tweet

CONFORMANCE = yaml.safe_load((Path(__file__).parent / "data" / "twitter_text_validate_v3.yml").read_text())["tests"]
CASES = [(section, case) for section, cases in CONFORMANCE.items() for case in cases]


@pytest.mark.parametrize(("section", "case"), CASES, ids=[f"{s}: {c['description']}" for s, c in CASES])
def test_counting_passes_twitter_texts_v3_conformance_cases(section, case):
    assert parse_tweet(case["text"]).asdict() == case["expected"]
    assert weighted_length(case["text"]) == case["expected"]["weightedLength"]


def test_the_vendored_file_holds_both_v3_sections():
    assert {"WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"} == set(CONFORMANCE)
    assert len(CASES) == 24


def test_only_ampersand_and_angle_brackets_are_escaped():
    assert store('NYC < London & "Paris" > Rome \'ok\'', "https://t.co/").text == \
        'NYC &lt; London &amp; "Paris" &gt; Rome \'ok\''


def test_links_and_bare_domains_become_23_character_tco_links_with_entities():
    stored = store("Read example.com & https://example.org/a?b=1 now", "https://t.co/")

    assert [u["expanded_url"] for u in stored.urls] == ["http://example.com", "https://example.org/a?b=1"]
    assert [u["display_url"] for u in stored.urls] == ["example.com", "example.org/a?b=1"]
    for url in stored.urls:
        assert len(url["url"]) == 23 and url["url"].startswith("https://t.co/")
        assert stored.text[url["start"]:url["end"]] == url["url"]
    assert stored.text.startswith("Read https://t.co/") and " &amp; https://t.co/" in stored.text


def test_entity_offsets_count_code_points_after_emoji():
    stored = store("😀 example.com", "https://t.co/")
    assert stored.urls[0]["start"] == 2 and stored.text[2:25] == stored.urls[0]["url"]


def test_a_configured_tco_host_still_gives_23_characters():
    stored = store("see example.com", "http://tco.test/")
    assert len(stored.urls[0]["url"]) == 23 and stored.urls[0]["url"].startswith("http://tco.test/")


def test_a_long_text_is_cut_on_a_word_within_280_and_ends_with_an_ellipsis():
    stored = store("word " * 100 + "https://example.com/end", "https://t.co/")

    cut = stored.cut()

    assert cut.text.endswith(ELLIPSIS) and weighted_length(cut.text) <= MAX_WEIGHTED_LENGTH
    assert cut.text[:-1].endswith("word") and cut.urls == []
    assert stored.cut() is not stored and store("short", "https://t.co/").cut().text == "short"
