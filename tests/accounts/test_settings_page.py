"""Each person sets their own time zone; the header shows it."""


def test_a_person_sets_their_time_zone(client, alice):
    client.force_login(alice)
    response = client.post("/settings/", {"first_name": "Alice", "last_name": "A", "time_zone": "Asia/Tokyo"}, follow=True)
    page = response.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"
    assert "Times are now shown in Asia/Tokyo." in page and ">Asia/Tokyo</a>" in page


def test_an_unknown_time_zone_is_refused_next_to_the_field(client, alice):
    client.force_login(alice)
    page = client.post("/settings/", {"time_zone": "Mars/Olympus"}).content.decode()
    assert "Select a valid choice" in page
    alice.refresh_from_db()
    assert alice.time_zone == "UTC"


def test_the_header_links_staff_to_the_admin_and_everyone_to_the_x_accounts(client, sam, alice):
    client.force_login(sam)
    assert 'href="/admin/"' in client.get("/posts/").content.decode()
    client.force_login(alice)
    page = client.get("/posts/inbox/").content.decode()
    assert 'href="/socials/accounts/"' in page and 'href="/admin/"' not in page
