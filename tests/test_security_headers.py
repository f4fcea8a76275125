"""Content-Security-Policy and Permissions-Policy on every page; no page relies on inline code."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts and "email" not in p.parts]


def test_pages_carry_a_strict_content_security_policy(client, rita, task):
    client.force_login(rita)
    response = client.get("/posts/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_api_and_the_login_page_carry_it_too(client, db):
    assert "Content-Security-Policy" in client.get("/accounts/login/")
    assert "Content-Security-Policy" in client.get("/api/users/me")


def test_pages_switch_off_browser_features_they_do_not_use(client, db):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_connecting_x_may_leave_for_xs_consent_page(client, db, settings):
    form_action = next(
        part for part in client.get("/accounts/login/")["Content-Security-Policy"].split(";")
        if part.strip().startswith("form-action")
    )
    assert "https://x.com" in form_action


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_style_or_handlers(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: move it to static/js/"
    assert not re.search(r"<style\b", html), "inline <style>: move it to static/css/"
    assert not re.search(r"\sstyle=", html), "style attribute: use a class"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler: use addEventListener in static/js/"


def test_the_api_docs_allow_their_own_inline_initializer_by_hash(client, sam):
    client.force_login(sam)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    inline = re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>", response.content)
    assert script_src.count("'sha256-") == len(inline)
    assert "'unsafe-inline'" not in script_src
