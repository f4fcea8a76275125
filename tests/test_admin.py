from posts import services
from posts.models import Post
from socials.models import Account
from tests.conftest import make_account


def test_staff_bulk_approves_through_the_review_service(client, sam, make_post):
    posts = [make_post(content=f"Post {i}") for i in range(3)]
    client.force_login(sam)
    ask = client.post("/admin/posts/post/", {"action": "approve_posts", "_selected_action": [p.pk for p in posts]})
    assert ask.status_code == 200 and all(f'name="version-{p.pk}" value="1"' in ask.content.decode() for p in posts)
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.PENDING}
    response = client.post(
        "/admin/posts/post/",
        {"action": "approve_posts", "_selected_action": [p.pk for p in posts], "apply": "1",
         **{f"version-{p.pk}": 1 for p in posts}},
        follow=True,
    )
    assert "3 post(s) approved." in response.content.decode()
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.APPROVED}
    assert all(p.reviews.get().actor == sam for p in posts)


def test_bulk_reject_asks_for_feedback_first(client, sam, make_post):
    post = make_post()
    client.force_login(sam)
    ask = client.post("/admin/posts/post/", {"action": "reject_posts", "_selected_action": [post.pk]})
    assert ask.status_code == 200 and "Feedback for the reseller" in ask.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING

    client.post(
        "/admin/posts/post/",
        {"action": "reject_posts", "_selected_action": [post.pk], "apply": "1", "feedback": "Off brand",
         f"version-{post.pk}": 1},
    )
    post.refresh_from_db()
    assert (post.status, post.feedback) == (Post.Status.REJECTED, "Off brand")


def test_staff_cannot_approve_their_own_post_in_bulk(client, sam, task, alice_account):
    from posts import services

    post = services.create_post(author=sam, task=task, content="mine", account_ids=[alice_account.pk])
    client.force_login(sam)
    response = client.post(
        "/admin/posts/post/",
        {"action": "approve_posts", "_selected_action": [post.pk], "apply": "1", f"version-{post.pk}": 1},
        follow=True,
    )
    assert "not its author" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_post_list_filters_and_search_work(client, sam, make_post, rita, alice):
    make_post(content="Findable needle")
    client.force_login(sam)
    for query in ("?status__exact=0", f"?task__reseller__id__exact={rita.pk}",
                  f"?task__user__id__exact={alice.pk}", "?scheduled=yes", "?q=needle"):
        response = client.get("/admin/posts/post/" + query)
        assert response.status_code == 200, query
    assert "Findable needle" in client.get("/admin/posts/post/?q=needle").content.decode()


def test_post_page_shows_channels_media_and_history(client, sam, make_post, alice):
    from posts import services

    post = make_post()
    services.review_post(actor=alice, post=post, action=2, feedback="Needs a photo")
    client.force_login(sam)
    page = client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "alice_x" in page and "Needs a photo" in page and "Media" in page


def test_account_admin_never_shows_a_token_and_keeps_it_when_left_blank(client, sam, alice):
    account = make_account(alice, "alice_x", oauth2_access_token="very-secret-token-123")
    client.force_login(sam)
    page = client.get(f"/admin/socials/account/{account.pk}/change/").content.decode()
    assert "very-secret-token-123" not in page
    assert "Stored (hidden)" in page

    form = {
        "user": alice.pk, "provider": "twitter", "provider_account_id": account.provider_account_id,
        "username": "alice_renamed", "name": "", "token_type": "oauth2_user", "state": "connected",
        "state_message": "", "scope": "", "oauth2_client_id": "", "expires_at_0": "", "expires_at_1": "",
    }
    response = client.post(f"/admin/socials/account/{account.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.username == "alice_renamed"
    assert account.oauth2_access_token == "very-secret-token-123"


def test_staff_registers_an_account_with_tokens_in_the_admin(client, sam, alice):
    client.force_login(sam)
    form = {
        "user": alice.pk, "provider": "twitter", "provider_account_id": "42", "username": "alice_o1",
        "name": "", "token_type": "oauth1", "state": "connected", "state_message": "", "scope": "",
        "oauth2_client_id": "", "expires_at_0": "", "expires_at_1": "",
        "oauth1_access_token": "tok", "oauth1_access_token_secret": "sec",
    }
    assert client.post("/admin/socials/account/add/", form).status_code == 302
    account = Account.objects.get(username="alice_o1")
    assert (account.oauth1_access_token, account.oauth1_access_token_secret) == ("tok", "sec")


def test_non_staff_cannot_open_the_admin(client, rita):
    client.force_login(rita)
    assert client.get("/admin/").status_code == 302


def test_a_threads_page_shows_its_parts_and_each_parts_state_per_channel(client, sam, make_post):
    from posts.models import ChannelPart, PostChannel

    post = make_post(content="", parts=[{"content": "First part"}, {"content": "Second part"}, {"content": "Third part"}])
    channel = PostChannel.objects.get(post=post)
    PostChannel.objects.filter(pk=channel.pk).update(state="retry", remote_id="100", remote_url="https://x.com/a/status/100")
    ChannelPart.objects.create(channel=channel, part=post.parts.get(position=2), remote_id="101",
                               remote_url="https://x.com/a/status/101", in_reply_to="100")
    client.force_login(sam)

    page = client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()

    assert "Second part" in page and "Third part" in page
    assert "https://x.com/a/status/101" in page
    assert "Waiting to retry" in page  # part 3, where the channel is
    assert client.get("/admin/posts/channelpart/").status_code == 200


def _published(post):
    from django.utils import timezone

    post.channels.update(state="published", remote_id="1900000000000000001")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=timezone.now())


def test_the_admin_refuses_to_delete_a_published_post_and_says_why(client, sam, make_post):
    post = make_post()
    _published(post)
    client.force_login(sam)

    page = client.post(f"/admin/posts/post/{post.pk}/delete/", {"post": "yes"}, follow=True).content.decode()
    assert "already sent to X cannot be deleted" in page
    bulk = client.post("/admin/posts/post/", {"action": "delete_posts", "_selected_action": [post.pk]}, follow=True)
    assert "already sent to X cannot be deleted" in bulk.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_admin_deletes_an_unsent_post_with_its_media_files(client, sam, make_post, django_capture_on_commit_callbacks):
    from tests.conftest import PNG_BYTES, upload

    posts = [make_post(media_files=[upload("a.png", PNG_BYTES)]) for _ in range(2)]
    files = [(p.media.get().file.storage, p.media.get().file.name) for p in posts]
    client.force_login(sam)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/posts/post/{posts[0].pk}/delete/", {"post": "yes"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/posts/post/", {"action": "delete_posts", "_selected_action": [posts[1].pk]})

    assert not Post.objects.exists()
    assert not any(storage.exists(name) for storage, name in files)


def test_django_s_own_bulk_delete_is_not_offered(client, sam, make_post):
    make_post()
    client.force_login(sam)
    page = client.get("/admin/posts/post/").content.decode()
    assert 'value="delete_selected"' not in page and 'value="delete_posts"' in page
    assert 'value="delete_selected"' not in client.get("/admin/posts/taskassign/").content.decode()


def test_the_admin_refuses_to_delete_a_task_with_posts(client, sam, task, make_post):
    from posts.models import TaskAssign

    make_post()
    client.force_login(sam)
    page = client.post(f"/admin/posts/taskassign/{task.pk}/delete/", {"post": "yes"}, follow=True).content.decode()
    assert "A task with posts cannot be deleted" in page
    client.post("/admin/posts/taskassign/", {"action": "delete_tasks", "_selected_action": [task.pk]})
    assert TaskAssign.objects.filter(pk=task.pk).exists() and Post.objects.count() == 1

    Post.objects.all().delete()
    client.post(f"/admin/posts/taskassign/{task.pk}/delete/", {"post": "yes"})
    assert not TaskAssign.objects.filter(pk=task.pk).exists()


def test_the_admin_names_each_accounts_section_for_what_it_holds(client, sam):
    client.force_login(sam)
    apps = [app["name"] for app in client.get("/admin/").context["app_list"]]

    assert "Accounts" not in apps and len(apps) == len(set(apps))
    assert {"People and roles", "Connected accounts", "Sign-in email addresses", "Connect through allauth (X, Facebook, LinkedIn)"} <= set(apps)


def test_the_by_reseller_filter_has_no_stray_dash(client, sam, make_post, bob, rex, bob_task):
    from posts.models import TaskAssign

    make_post()
    services.create_post(author=rex, task=bob_task, content="From rex", account_ids=[make_account(bob, "bob_x").pk])
    client.force_login(sam)

    def reseller_choices():
        page = client.get("/admin/posts/post/")
        (spec,) = [s for s in page.context["cl"].filter_specs if s.title == "reseller"]
        return [c["display"] for c in spec.choices(page.context["cl"])]

    choices = reseller_choices()
    assert choices[0] == "All" and sorted(choices[1:]) == ["rex", "rita"]  # no "-" for posts that all have one

    # A client's own "published directly" task has no reseller: that choice says so.
    direct = TaskAssign.objects.create(user=bob, reseller=None, title="Published directly")
    services.create_post(author=sam, task=direct, content="Direct", account_ids=[bob.x_accounts.get().pk])
    choices = reseller_choices()
    assert "-" not in choices and "None (the client posted directly)" in choices
