from django import template
from django.utils.safestring import SafeString

from costs import selectors
from socialhub.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def x_usage(user) -> SafeString:
    """The dashboard's spend panel: what the person's clients' X calls cost, per client and per X
    app, this month and last. Built with format_html, as the lists' rows are (posts/rows.py): as a
    template it cost twice its query."""
    usage = selectors.usage(user)
    months = format_html_join("", "{}", ((_month_html(label, usage[name]),)
                                         for label, name in (("This month", "this_month"), ("Last month", "last_month"))))
    return format_html(
        '<section aria-labelledby="spend-h" class="x-spend">\n'
        '  <h2 id="spend-h">Spend on X</h2>\n'
        '  <p class="help">What X charges for the calls SocialHub makes for your clients '
        '(pay-per-use: posts, links, alt text, reads).</p>\n'
        '  <div class="cards">{}\n  </div>\n</section>',
        months)


def _month_html(label: str, month: dict) -> SafeString:
    """One month's card: its total, then per client and per X app (selectors.usage)."""
    if not month["clients"]:
        return format_html('\n    <div class="card">\n      <strong>{}: {}</strong>\n'
                           '      <p class="muted small">Nothing spent.</p>\n    </div>', label, month["usd"])
    clients = format_html_join("", "{}", ((_spend_row(row["username"] or "(gone)", row),) for row in month["clients"]))
    apps = format_html_join("", "{}", ((_spend_row(row["name"], row),) for row in month["x_apps"]))
    return format_html(
        '\n    <div class="card">\n      <strong>{}: {}</strong>\n'
        '      <table class="small"><caption class="muted">Per client</caption>\n        {}\n      </table>\n'
        '      <table class="small"><caption class="muted">Per X app</caption>\n        {}\n      </table>\n'
        '    </div>',
        label, month["usd"], clients, apps)


def _spend_row(name: str, row: dict) -> SafeString:
    """A client's or an X app's line: its spend, its cap if it has one, its calls."""
    cap = format_html(' <span class="muted">of a {} cap</span>', row["monthly_cap_usd"]) if row["monthly_cap_usd"] else ""
    calls = row["calls"]
    return format_html('<tr><th scope="row">{}</th><td>{}{}</td><td class="muted">{} call{}</td></tr>',
                       name, row["usd"], cap, calls, "" if calls == 1 else "s")
