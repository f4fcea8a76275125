"""What happens to other networks' accounts, for notifications to tell.

access_ending is sent once per token, a week before a token that cannot be renewed ends (LinkedIn's
60 days): `accounts` are every account using it (a member and its pages), `ends_at` when it ends.
"""

from django.dispatch import Signal

access_ending = Signal()
