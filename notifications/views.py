from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services, webhooks
from .forms import PreferencesForm, WebhookForm
from .models import Preference, WebhookDelivery, WebhookEndpoint


def _page(request, *, prefs_form=None, webhook_form=None, status=200):
    user = request.user
    kinds = services.kinds_for(user)
    if prefs_form is None:
        disabled = Preference.objects.disabled_kinds(user)
        prefs_form = PreferencesForm(kinds=kinds, enabled={k.value for k in kinds} - disabled)
    context = {"prefs_form": prefs_form}
    if user.is_reseller:
        endpoint = WebhookEndpoint.objects.filter(reseller=user).first()
        if webhook_form is None:
            initial = {"url": endpoint.url, "is_active": endpoint.is_active} if endpoint else {}
            webhook_form = WebhookForm(initial=initial)
        context.update(
            endpoint=endpoint,
            webhook_form=webhook_form,
            deliveries=WebhookDelivery.objects.filter(endpoint=endpoint)[:10] if endpoint else [],
        )
    return render(request, "notifications/settings.html", context, status=status)


@login_required
def settings_page(request):
    if request.method != "POST":
        return _page(request)
    form = PreferencesForm(request.POST, kinds=services.kinds_for(request.user), enabled=set())
    if not form.is_valid():
        return _page(request, prefs_form=form, status=400)
    services.set_preferences(user=request.user, enabled=form.enabled_kinds())
    messages.success(request, "Notification settings saved.")
    return redirect("notifications:settings")


def _reseller_only(request):
    return None if request.user.is_reseller else _page(request, status=403)


@login_required
@require_POST
def webhook(request):
    if (refused := _reseller_only(request)) is not None:
        return refused
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhooks.save_endpoint(reseller=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("notifications:settings")
    return _page(request, webhook_form=form, status=400)


@login_required
@require_POST
def webhook_test(request):
    if (refused := _reseller_only(request)) is not None:
        return refused
    try:
        webhooks.send_test_event(reseller=request.user)
    except WebhookEndpoint.DoesNotExist:
        messages.error(request, "Save a webhook URL first.")
    else:
        messages.success(request, "Test event queued; it shows below once it is sent.")
    return redirect("notifications:settings")
