import pytest

from platforms.text import HashtagError, compose_text, normalize_hashtags
from platforms.x.text import weighted_length


def test_hashtags_lose_their_hash_and_duplicates():
    assert normalize_hashtags(["#Launch", "launch", "##tech", " innovation "]) == ["Launch", "tech", "innovation"]


def test_hashtags_from_a_string_split_on_spaces_and_commas():
    assert normalize_hashtags("#a1, b_2  café") == ["a1", "b_2", "café"]


@pytest.mark.parametrize("bad", ["123", "has space!", "dash-tag", "emoji🚀"])
def test_hashtags_x_would_not_link_are_refused(bad):
    with pytest.raises(HashtagError):
        normalize_hashtags([bad])


def test_hashtags_are_appended_once_after_a_blank_line():
    assert compose_text("New product #launch", ["Launch", "tech"]) == "New product #launch\n\n#tech"
    assert compose_text("", ["tech"]) == "#tech"
    assert compose_text("Plain", []) == "Plain"


def test_weighted_length_follows_x():
    assert weighted_length("hello") == 5
    assert weighted_length("日本") == 4
    assert weighted_length("👩‍👩‍👧") == 2
    assert weighted_length("https://example.com/a/very/long/path/that/is/long") == 23


def test_weighted_length_agrees_with_twitter_text_on_mixed_text():
    import random

    from twitter_text import parse_tweet

    pieces = [
        "hello ", "x", "1", "#", "*", "\n", "\r\n", "日本語", "é", "e\u0301", "😷", "🙋🏽", "👨‍🎤", "👩‍👩‍👧",
        "1\ufe0f\u20e3", "#\u20e3", "*\ufe0f\u20e3", "©", "™", "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "🇫🇷", "https://example.com/a/very/long/path ", "t.co/x ", "example.org", "\u2018quoted\u2019",
        "—", "\u200d", "\ufe0f", "한국어", "#spring ", "@alice ", "\u00a0", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ]
    rng = random.Random(12)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert weighted_length(text) == parse_tweet(text).weightedLength, repr(text)
