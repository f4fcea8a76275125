"""posts.models.JSONField: an empty list or object reads back without being decoded, and
everything else (values, lookups, keys read through the database) as Django's JSONField reads it."""

from posts.models import Post, PostChannel


def test_empty_and_set_values_read_back_as_they_were_written(make_post):
    empty = make_post(hashtags=[])
    tagged = make_post(hashtags=["spring", "sale"])
    Post.objects.filter(pk=tagged.pk).update(text_overrides={"mastodon": "Hello {}"}, poll_options=["[]", "{}"])
    read = {post.pk: post for post in Post.objects.filter(pk__in=[empty.pk, tagged.pk])}
    assert (read[empty.pk].hashtags, read[empty.pk].text_overrides, read[empty.pk].poll_options) == ([], {}, [])
    assert read[tagged.pk].hashtags == ["spring", "sale"]
    assert read[tagged.pk].text_overrides == {"mastodon": "Hello {}"}
    assert read[tagged.pk].poll_options == ["[]", "{}"]


def test_each_empty_value_read_is_a_list_or_dict_of_its_own(make_post):
    make_post(hashtags=[])
    make_post(hashtags=[])
    first, second = Post.objects.order_by("pk").values_list("hashtags", flat=True)
    first.append("changed")
    assert second == []


def test_lookups_and_keys_read_through_the_database_work_as_before(make_post):
    post = make_post(hashtags=[])
    Post.objects.filter(pk=post.pk).update(text_overrides={"mastodon": "Hi", "empty": {}, "none": []})
    assert Post.objects.filter(text_overrides__mastodon="Hi").get() == post
    assert Post.objects.filter(hashtags=[]).get() == post
    assert Post.objects.values_list("text_overrides__empty", "text_overrides__none", "text_overrides__mastodon").get() == (
        {}, [], "Hi")
    channel = PostChannel.objects.get(post=post)
    assert channel.metrics == {} and channel.media_ids == []
