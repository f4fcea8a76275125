"""What happens to connected accounts. Sent after commit; receivers must not raise."""

from django.dispatch import Signal

account_needs_reconnect = Signal()  # account: its tokens stopped working
