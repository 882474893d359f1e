"""Pages (admins only, see core/permissions.py): the Health page and the notification
connections. Forms post to the same services the JSON API calls."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import OmniError
from core.events import EventType
from notifications import services
from notifications.forms import ConnectionForm, HealthSettingsForm
from notifications.health import service as health
from notifications.models import Connection, HealthIssue, HealthSettings

DELIVERIES_SHOWN = 50


def health_page(request):
    return render(request, "notifications/health.html", {
        "checks": health.check_rows(),
        "cleared": HealthIssue.objects.filter(cleared_at__isnull=False).order_by("-cleared_at")[:20],
        "form": HealthSettingsForm(instance=HealthSettings.load()),
    })


@require_POST
def health_run(request):
    outcome = health.evaluate()
    messages.success(request, f"Checked: {outcome['raised']} new problem(s), {outcome['cleared']} cleared, "
                              f"{outcome['open']} open.")
    return redirect("system-health")


@require_POST
def health_settings(request):
    form = HealthSettingsForm(request.POST, instance=HealthSettings.load())
    if form.is_valid():
        form.save()
        messages.success(request, "Health thresholds saved.")
    else:
        messages.error(request, f"Not saved: {form.errors.as_text()}")
    return redirect("system-health")


def connections(request):
    if request.method == "POST":
        return _save(request, None)
    return render(request, "notifications/connections.html", {
        "connections": [(c, services.mask_url(c.url)) for c in Connection.objects.all()],
        "form": ConnectionForm(initial={"events": EventType.values, "enabled": True}),
    })


def connection_detail(request, connection_id: int):
    if request.method == "POST":
        return _save(request, connection_id)
    try:
        connection = services.get_connection(connection_id)
    except OmniError as exc:
        messages.error(request, str(exc))
        return redirect("notifications")
    return _detail(request, connection)


def _detail(request, connection: Connection, new_secret: str = ""):
    form = ConnectionForm(initial={"name": connection.name, "kind": connection.kind, "events": connection.events,
                                   "enabled": connection.enabled})
    return render(request, "notifications/connection.html", {
        "connection": connection, "url_masked": services.mask_url(connection.url), "form": form,
        "deliveries": connection.deliveries.select_related("event")[:DELIVERIES_SHOWN], "new_secret": new_secret,
    })


def _save(request, connection_id: int | None):
    form = ConnectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not saved: {form.errors.as_text()}")
        return redirect(_back(connection_id))
    try:
        connection = services.save_connection(connection_id, form.cleaned_data)
    except OmniError as exc:
        messages.error(request, f"Not saved: {exc}")
        return redirect(_back(connection_id))
    messages.success(request, f"Saved {connection.name}.")
    if connection.kind == "webhook" and (connection_id is None or form.cleaned_data["new_secret"]):
        return _detail(request, connection, new_secret=connection.secret)  # shown once, never in a cookie
    return redirect("notification-detail", connection_id=connection.pk)


def _back(connection_id: int | None) -> str:
    if connection_id is None:
        return reverse("notifications")
    return reverse("notification-detail", kwargs={"connection_id": connection_id})


@require_POST
def connection_test(request, connection_id: int):
    try:
        delivery = services.send_test(connection_id)
    except OmniError as exc:
        messages.error(request, str(exc))
        return redirect("notifications")
    if delivery.state == "delivered":
        status = f" (HTTP {delivery.last_status})" if delivery.last_status else ""
        messages.success(request, f"Test message delivered{status}.")
    else:
        messages.error(request, f"Test message not delivered: {delivery.last_error or delivery.last_response}")
    return redirect("notification-detail", connection_id=connection_id)


@require_POST
def connection_delete(request, connection_id: int):
    try:
        services.delete_connection(connection_id)
    except OmniError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Connection deleted.")
    return redirect("notifications")
