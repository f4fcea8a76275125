"""Mail in development: one line a mail on the console, with its links; the full dump is a setting away."""

import io

from django.core import mail
from django.core.mail import EmailMultiAlternatives

from socialhub.mail import OneLineConsoleBackend


def test_the_development_backend_prints_one_line_a_mail_with_its_links():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        "SocialHub:  2 updates\n", "Hello\nSee http://127.0.0.1:8000/posts/7/ and http://127.0.0.1:8000/posts/7/\n",
        to=["alice@example.com", "bob@example.com"],
    )
    message.attach_alternative("<p>Hello <a href='http://127.0.0.1:8000/posts/7/'>post</a></p>", "text/html")
    plain = mail.EmailMessage("[SocialHub] Password Reset Email", "Reset: http://127.0.0.1:8000/accounts/password/reset/key/1-x/",
                              to=["rita@example.com"])

    OneLineConsoleBackend(stream=stream).send_messages([message, plain])

    assert stream.getvalue().splitlines() == [
        'mail to alice@example.com, bob@example.com: "SocialHub: 2 updates" http://127.0.0.1:8000/posts/7/',
        'mail to rita@example.com: "[SocialHub] Password Reset Email" http://127.0.0.1:8000/accounts/password/reset/key/1-x/',
    ]
