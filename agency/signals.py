"""What happens in the agency app, for whoever wants to know (notifications, webhooks).
Sent after the transaction commits; receivers must not raise."""

from django.dispatch import Signal

post_commented = Signal()  # post, comment (agency.Comment)
