"""What a person sees, measured in Chromium: thread cards, the phone layout, the drop zone, the API
docs without internet and the admin's lists at 1,280 px."""

import pytest
from playwright.sync_api import expect

from posts import services
from posts.models import Post
from tests.conftest import PNG_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Text of a thread card that the connector line crosses: [] when none. The line is each card's
# ::after, from below its avatar to the next card.
TEXT_UNDER_THE_LINE = """() => {
  const hits = [];
  const lines = Array.from(document.querySelectorAll(".x-thread.is-thread > .x-thread-part:not(:last-child)"));
  for (const li of lines) {
    const css = getComputedStyle(li, "::after");
    const box = li.getBoundingClientRect();
    const left = box.left + parseFloat(css.left), right = left + parseFloat(css.borderLeftWidth);
    const top = box.top + parseFloat(css.top), bottom = box.bottom - parseFloat(css.bottom);
    const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.left < right && r.right > left && r.top < bottom && r.bottom > top) hits.push(node.textContent.trim());
      }
    }
  }
  return {lines: lines.length, hits};
}"""


@pytest.fixture
def thread_post(make_post):
    return make_post(content="", parts=[
        {"content": "A long first part about tulips, ranunculus and peonies that wraps over several lines of the card"},
        {"content": "Second part, also long enough to wrap across the card from its left edge to its right edge"},
        {"content": "Third and last"},
    ])


def assert_line_crosses_no_text(page, lines):
    measured = page.evaluate(TEXT_UNDER_THE_LINE)
    assert measured == {"lines": lines, "hits": []}


def test_the_thread_line_runs_beside_the_text_on_the_post_page_inbox_and_composer(new_page, rita, alice, thread_post, task):
    for who, path in [(rita, f"/posts/{thread_post.pk}/"), (alice, "/posts/inbox/")]:
        page = new_page(who)
        page.goto(path)
        expect(page.locator(".x-thread.is-thread > li")).to_have_count(3)
        assert_line_crosses_no_text(page, lines=2)

    page = new_page(rita)
    page.goto("/posts/new/")
    page.select_option("#id_task", str(task.pk))
    page.fill("#id_content", "Part one of the preview, long enough to wrap across the whole preview card")
    page.click("[data-add-part]")
    page.locator("[data-part] textarea").fill("Part two of the preview")
    expect(page.locator("[data-preview-part] [data-preview-text]")).to_have_text("Part two of the preview")
    assert_line_crosses_no_text(page, lines=1)


@pytest.fixture
def sandbox_banner(settings):
    settings.X_SANDBOX = True
    settings.X_API_URL = "http://127.0.0.1:8765"


def test_on_a_phone_the_menu_folds_and_the_sandbox_banner_is_one_line(new_page, rita, sandbox_banner):
    page = new_page(rita)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/posts/")

    banner = page.locator(".sandbox-banner")
    expect(banner).to_contain_text("X sandbox")
    assert banner.bounding_box()["height"] < 32  # one line
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="New post")).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 70  # the brand and the button

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="New post").click()
    page.wait_for_url("**/posts/new/")

    # On a wide screen the whole menu shows and the button does not.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(banner).to_contain_text("a local stand-in for X at http://127.0.0.1:8765")


def test_the_drop_zone_offers_one_choose_files_control(new_page, rita, task, alice_account):
    page = new_page(rita)
    page.goto("/posts/new/")
    dropzone = page.locator("[data-dropzone]")
    assert dropzone.locator("input[type=file]").evaluate("input => getComputedStyle(input).opacity") == "0"
    with page.expect_file_chooser() as chooser:
        dropzone.get_by_text("choose files").click()
    chooser.value.set_files(files=[{"name": "tulips.png", "mimeType": "image/png", "buffer": PNG_BYTES}])
    expect(page.locator("[data-media-list]")).to_contain_text("tulips.png")
    # "Add another part" is not dressed as a destructive action.
    colour = page.locator("[data-add-part]").evaluate("button => getComputedStyle(button).color")
    assert colour != "rgb(179, 38, 30)"  # --bad


@pytest.mark.parametrize("path, title", [("/api/docs/", ".swagger-ui .info .title"), ("/api/redoc/", "h1")])
def test_the_api_docs_work_without_internet(browser, live_server, path, title):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    elsewhere = []

    def only_this_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:  # ReDoc's credit loads its logo from redocly.com: an image, nothing the page needs
            if route.request.resource_type != "image":
                elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(path)
    expect(page.locator(title).first).to_contain_text("SocialHub API", timeout=40_000)  # a big bundle to parse
    assert elsewhere == []
    context.close()


def test_admin_lists_fit_1280_px_with_dates_on_one_line(new_page, sam, make_post):
    for i in range(3):
        make_post(content=f"Post number {i} with a longer text that should wrap in its own column")
    services.review_post(actor=sam, post=Post.objects.first(), action=1)
    page = new_page(sam)
    page.goto("/admin/posts/post/")
    fits = page.evaluate("""() => {
        const table = document.querySelector('#result_list').getBoundingClientRect();
        const lines = Array.from(document.querySelectorAll('#result_list td.field-created_at')).map(td => {
            const range = document.createRange(); range.selectNodeContents(td);
            return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
        });
        return {right: table.right <= window.innerWidth, lines};
    }""")
    assert fits == {"right": True, "lines": [1, 1, 1]}
