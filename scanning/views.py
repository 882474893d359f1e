from __future__ import annotations

from django.shortcuts import render

from core.api.auth import is_admin
from scanning.models import ALL_FORMATS, ContentType


def scanning_page(request):
    return render(
        request,
        "scanning/scanning.html",
        {
            "can_manage": is_admin(request.user),
            "content_types": ContentType.choices,
            "formats": ALL_FORMATS,
        },
    )
