"""The few HTML pages: the consent screens and the home page. Plain HTML, no scripts."""
from __future__ import annotations

from html import escape

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}"
          "button{padding:.5rem 1rem;margin-right:.5rem}input[type=text]{padding:.4rem;width:100%}"
          "table{border-collapse:collapse}td{padding:.2rem .8rem .2rem 0}")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")


def consent_page(*, action: str, app_name: str, username: str, hidden: dict[str, str],
                 scopes: list[str]) -> str:
    """The "authorize this app" screen. Posts `hidden` back to `action` with `username` and
    `decision` = "authorize" or "cancel"."""
    fields = "".join(f"<input type='hidden' name='{escape(name)}' value='{escape(value)}'>"
                     for name, value in hidden.items())
    scope_items = "".join(f"<li>{escape(scope)}</li>" for scope in scopes)
    scope_list = f"<p>It asks for:</p><ul>{scope_items}</ul>" if scopes else ""
    body = (
        f"<h1>X sandbox: authorize {escape(app_name)} for @{escape(username)}</h1>"
        f"{scope_list}"
        f"<form method='post' action='{escape(action)}'>{fields}"
        f"<p><label>Sandbox username<br><input type='text' name='username' value='{escape(username)}'>"
        "</label></p>"
        "<button type='submit' name='decision' value='authorize'>Authorize app</button>"
        "<button type='submit' name='decision' value='cancel'>Cancel</button>"
        "</form>"
    )
    return _page("X sandbox: authorize", body)


def error_page(message: str) -> str:
    return _page("X sandbox: error", f"<h1>X sandbox</h1><p>{escape(message)}</p>")


def home_page(counts: dict[str, int], usernames: list[str] | None = None) -> str:
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{value}</td></tr>" for name, value in counts.items())
    profiles = ", ".join(f"<a href='/{escape(name)}'>@{escape(name)}</a>" for name in usernames or [])
    body = (f"<h1>X sandbox</h1><p>A local stand-in for the X API.</p><table>{rows}</table>"
            + (f"<p>Profiles: {profiles}</p>" if profiles else "")
            + "<p>Control API: <a href='/_sandbox/state'>state</a>, <a href='/_sandbox/tweets'>tweets</a>, "
            "<a href='/_sandbox/stats'>stats</a>, <a href='/_sandbox/faults'>faults</a>.</p>")
    return _page("X sandbox", body)


def sandbox_page(title: str, body: str) -> str:
    """A public-looking page (post, profile, 404) under a banner that says it is the sandbox."""
    banner = ("<p class='banner' role='note'><strong>X sandbox</strong>: a local stand-in for X. "
              "Nothing here is on x.com.</p>")
    style = (".banner{background:#fff3cd;border:1px solid #e0c36c;padding:.5rem .8rem;border-radius:.4rem}"
             ".text{white-space:normal;font-size:1.15rem}.meta{color:#555}.badge{color:#1d9bf0}"
             ".posts li{margin-bottom:1rem}")
    return _page(title, f"<style>{style}</style>{banner}<main>{body}</main>")
