from django import template

from agency import comments

register = template.Library()


@register.inclusion_tag("agency/_comments.html")
def comment_thread(post, action_url: str, csrf_token, can_comment: bool = True):
    """A post's thread (comments and rejection feedback) with the form adding to it."""
    return {"post": post, "entries": comments.thread_for(post), "action_url": action_url,
            "csrf_token": csrf_token, "can_comment": can_comment}


@register.filter
def x_app_key(account) -> str:
    """Which X app an account signs with (the composer warns when ticked accounts share one)."""
    from agency.same_app import app_key

    return app_key(account)
