from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Each role starts where its work is: clients at their review inbox, others at the dashboard."""
    return redirect("posts:inbox" if request.user.is_client else "posts:dashboard")
