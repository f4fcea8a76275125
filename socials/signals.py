"""What happens to connected accounts.

account_needs_reconnect is sent after commit; its receivers must not raise. account_connected and
account_disconnected are sent inside the transaction that changes the account, so what their
receivers do (publishing holds or releases the account's posts) commits or rolls back with it;
each receiver returns how many posts it held or released.
"""

from django.dispatch import Signal

account_needs_reconnect = Signal()  # account: its tokens stopped working
account_connected = Signal()  # account: reconnected with new tokens (not sent for a new account)
account_disconnected = Signal()  # account: its tokens are gone
