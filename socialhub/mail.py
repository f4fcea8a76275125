"""The development email backend: one line a mail on the console, its links included (a password
reset can be followed from the run log). Django's console backend prints every mail in full, as
multipart MIME; set EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend for that."""

import re

from django.core.mail.backends.console import EmailBackend as ConsoleBackend

LINK = re.compile(r"https?://[^\s<>\"')]+")
MAX_LINKS = 3


def summary(message) -> str:
    """`mail to a@x, b@y: "Subject" link1 link2`, on one line."""
    recipients = ", ".join(message.recipients()) or "nobody"
    subject = " ".join(str(message.subject).split())
    links = list(dict.fromkeys(LINK.findall(str(message.body))))
    more = f" (+{len(links) - MAX_LINKS} more links)" if len(links) > MAX_LINKS else ""
    return f'mail to {recipients}: "{subject}"' + "".join(f" {link}" for link in links[:MAX_LINKS]) + more


class OneLineConsoleBackend(ConsoleBackend):
    def write_message(self, message):
        self.stream.write(summary(message) + "\n")
