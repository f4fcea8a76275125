"""X's card (posts/x_card.py) on the review inbox and the post page: what people typed, the
account's name and the media's alt text, is shown as text; a video part is a player."""

from tests.conftest import MP4_BYTES, PNG_BYTES, upload

MARKUP = '<img src=x onerror="alert(1)">'
SHOWN = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"


def test_what_people_typed_is_shown_as_text_on_xs_card(client, alice, alice_account, make_post):
    alice_account.name = f"Alice {MARKUP}"
    alice_account.save()
    post = make_post(content="", parts=[
        {"content": "First", "media_files": [upload("a.png", PNG_BYTES, "image/png")], "alt_texts": [f"Tulips {MARKUP}"]},
        {"content": f"Second {MARKUP}", "media_files": [upload("v.mp4", MP4_BYTES, "video/mp4")],
         "alt_texts": [f"Bees {MARKUP}"]},
    ])
    image, video = post.thread[0].media[0], post.thread[1].media[0]
    client.force_login(alice)

    for page in (client.get("/posts/inbox/").content.decode(), client.get(f"/posts/{post.pk}/").content.decode()):
        assert MARKUP not in page
        assert f'data-preview-name>Alice {SHOWN}</span>' in page
        assert f'<img src="{image.url}" alt="Tulips {SHOWN}"' in page
        assert f"Second {SHOWN}" in page
        assert f'<video src="{video.url}" controls preload="metadata" aria-label="Bees {SHOWN}"></video>' in page
