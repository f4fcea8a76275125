from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import SettingsForm


@login_required
def settings_view(request):
    """A person's name and time zone."""
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved. Times are now shown in {form.instance.time_zone}.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})
