import pytest

from posts.text import HashtagError, compose_text, normalize_hashtags, weighted_length


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
