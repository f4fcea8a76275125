def test_login_page_renders_with_the_base_template(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "SocialHub" in page and 'name="login"' in page and 'name="password"' in page


def test_people_log_in_with_username_and_land_on_home(client, rita):
    response = client.post("/accounts/login/", {"login": "rita", "password": "pw-rita"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, rita" in page and "Reseller" in page


def test_signup_is_closed(client, db):
    assert "closed" in client.get("/accounts/signup/").content.decode().lower()


def test_password_reset_page_exists(client, db):
    assert client.get("/accounts/password/reset/").status_code == 200


def test_sandbox_banner_shows_only_when_the_sandbox_is_in_use(client, rita, settings):
    client.force_login(rita)
    settings.X_SANDBOX = False
    assert "X sandbox" not in client.get("/").content.decode()
    settings.X_SANDBOX = True
    assert "X sandbox" in client.get("/").content.decode()


def test_home_counts_only_the_viewers_posts(client, make_post, rex, rita):
    make_post()
    client.force_login(rita)
    assert "Pending approval: 1" in client.get("/").content.decode()
    client.force_login(rex)
    assert "No posts yet." in client.get("/").content.decode()
