def test_login_page_renders_with_the_base_template(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "SocialHub" in page and 'name="login"' in page and 'name="password"' in page


def test_people_log_in_with_username_and_land_on_their_roles_page(client, rita, alice):
    response = client.post("/accounts/login/", {"login": "rita", "password": "pw-rita"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/posts/"
    assert "<h1>Dashboard</h1>" in page and "Reseller" in page
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "alice", "password": "pw-alice"}, follow=True)
    assert response.redirect_chain[-1][0] == "/posts/inbox/"
    assert "Review inbox" in response.content.decode()


def test_signup_is_closed(client, db):
    page = client.get("/accounts/signup/").content.decode()
    assert "Accounts come from your agency" in page and 'name="password1"' not in page
    assert client.post("/accounts/signup/", {"username": "eve", "email": "eve@example.com", "password1": "x" * 12,
                                             "password2": "x" * 12}).status_code == 200
    from accounts.models import User

    assert not User.objects.filter(username="eve").exists()


def test_password_reset_page_exists(client, db):
    assert client.get("/accounts/password/reset/").status_code == 200


def test_sandbox_banner_shows_only_when_the_sandbox_is_in_use(client, rita, settings):
    client.force_login(rita)
    settings.X_SANDBOX = False
    assert "X sandbox" not in client.get("/posts/").content.decode()
    settings.X_SANDBOX = True
    assert "X sandbox" in client.get("/posts/").content.decode()


def test_dashboard_shows_only_the_viewers_posts(client, make_post, rex, rita):
    make_post(content="Rita's tulips")
    client.force_login(rita)
    assert "Rita&#x27;s tulips" in client.get("/posts/").content.decode()
    client.force_login(rex)
    page = client.get("/posts/").content.decode()
    assert "tulips" not in page and "No posts here." in page


def test_the_health_check_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
