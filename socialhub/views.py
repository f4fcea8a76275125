from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@login_required
def home(request):
    """Each role starts where its work is: clients at their review inbox, others at the dashboard."""
    return redirect("posts:inbox" if request.user.is_client else "posts:dashboard")


@require_GET
def healthz(request):
    """For load balancers: the process answers (no database, no session). Also the ceiling the
    page benchmarks compare with (bench/http.py)."""
    return HttpResponse("ok", content_type="text/plain")
