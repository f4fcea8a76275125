from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from posts.models import Post


@login_required
def home(request):
    rows = Post.objects.for_user(request.user).values("status").annotate(n=Count("pk")).order_by("status")
    labels = dict(Post.Status.choices)
    counts = [(labels[row["status"]], row["n"]) for row in rows]
    return render(request, "home.html", {"counts": counts})
