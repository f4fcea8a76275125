from django import template

from costs import selectors

register = template.Library()


@register.inclusion_tag("costs/_usage.html")
def x_usage(user):
    """What the person's clients' X calls cost, per client and per X app, this month and last."""
    usage = selectors.usage(user)
    return {"months": [("This month", usage["this_month"]), ("Last month", usage["last_month"])]}
