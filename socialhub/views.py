from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
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


@require_GET
def healthz_publishing(request):
    """For monitors: is publishing keeping up? 200 with the figures, 503 when it has stalled
    (posts/health.py says when; docs/deploy.md how to wire it). Counts only, no content."""
    from posts.health import publishing_health

    try:
        health = publishing_health()
    except DatabaseError:
        health = {"ok": False, "problems": ["The database does not answer."]}
    response = JsonResponse(health, status=200 if health["ok"] else 503)
    response["Cache-Control"] = "no-store"
    return response
