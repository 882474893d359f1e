"""Pages of users and reading: the admins' user management, a reader's shelves and statuses, and
the KOReader sync set-up. They render on the server; their scripts call the JSON API
(reading/api.py, reading/users_api.py) and reload."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from core.api.envelope import as_sent
from core.errors import NotFound
from reading import sending, shelves, users
from reading.models import Device, DeviceKind, KosyncKey, MailSecurity, MailSettings, ReadingProgress, ReadingStatus
from reading.users_api import UserOut, user_out
from reading.visibility import visible_items
from scanning.models import ScanFolder

STATUS_SHOWN = 24
SHELF_PAGE = 48


def _page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except ValueError:
        return 1


def user_list(request):
    rows = [user_out(user) for user in users.all_users()]
    folders = {folder.pk: folder for folder in ScanFolder.objects.all()}
    for row in rows:
        row["folder_names"] = [
            str(folders[i].name or folders[i].path) for i in row["libraries"]["folder_ids"] if i in folders
        ]
    return render(request, "users/user_list.html", {"rows": rows, "folders": folders.values()})


def user_detail(request, user_id: int):
    try:
        user = users.get_user(user_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    data = as_sent(request, UserOut, user_out(user))
    return render(
        request,
        "users/user_detail.html",
        {
            "subject": user,
            "data": data,
            "folders": ScanFolder.objects.all(),
            "chosen": set(data["libraries"]["folder_ids"]),
            "is_self": user.pk == request.user.pk,
        },
    )


def _by_status(user) -> list[dict]:
    visible = visible_items(user).values("pk")
    rows = (
        ReadingProgress.objects.filter(user=user, item__in=visible)
        .exclude(status="")
        .select_related("item")
        .order_by("-updated_at")
    )
    groups = []
    for value, label in ReadingStatus.choices:
        found = list(rows.filter(status=value)[: STATUS_SHOWN + 1])
        groups.append(
            {"status": value, "label": label, "rows": found[:STATUS_SHOWN], "more": len(found) > STATUS_SHOWN}
        )
    return groups


def shelf_list(request):
    mine = list(shelves.user_shelves(request.user))
    return render(
        request,
        "shelves/shelf_list.html",
        {"shelves": mine, "groups": _by_status(request.user), "save_query": request.GET.get("query", "")[:500]},
    )


def shelf_detail(request, shelf_id: int):
    try:
        shelf = shelves.user_shelf(request.user, shelf_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    page = shelves.shelf_items(request.user, shelf, page=_page(request), page_size=SHELF_PAGE)
    return render(request, "shelves/shelf_detail.html", {"shelf": shelf, "page": page})


def koreader_sync(request):
    key = KosyncKey.objects.filter(user=request.user).first()
    server = request.build_absolute_uri("/kosync")
    return render(request, "shelves/koreader.html", {"key": key, "server": server})


def devices(request):
    """Your e-readers (Send to Kindle / Kobo / PocketBook); the page's forms call the JSON API."""
    rows = [sending.device_out(d) for d in Device.objects.filter(user=request.user)]
    return render(request, "shelves/devices.html", {
        "devices": rows, "kinds": DeviceKind.choices, "formats": sending.CHOOSABLE_FORMATS,
        "mail": MailSettings.load(),
    })


def mail_settings(request):
    """Settings > E-mail (admins): the SMTP server; the password is never rendered."""
    row = MailSettings.load()
    return render(request, "reading/mail_settings.html", {
        "mail": sending.settings_out(row), "securities": MailSecurity.choices,
    })
