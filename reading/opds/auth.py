"""Who is asking: reading apps send HTTP Basic credentials (the app user's name and password) or the
user's API key (`X-Api-Key` header or `?apikey=` for apps that can only be given a URL); a browser
has its session. Missing or wrong credentials answer 401 with a Basic challenge, never a redirect
to the log-in page an app cannot fill in.

Passwords are checked by django.contrib.auth.authenticate with the request, so django-axes counts
failures and locks out as on the log-in page. A password hash costs ~0.3 s by design and an app
sends the credentials with every cover it shows, so a verified credential is remembered for a few
minutes under an HMAC of (name, password, stored hash): a password change forgets it."""

from __future__ import annotations

import base64
import binascii
from functools import wraps

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.crypto import salted_hmac

from core.api.auth import API_KEY_HEADER
from core.permissions import page_access, role_of

REALM = "OmniReadarr"
API_KEY_PARAM = "apikey"
REMEMBER_SECONDS = 300


def challenge(message: str = "Log in with your OmniReadarr user name and password, or an API key.") -> HttpResponse:
    response = HttpResponse(message + "\n", status=401, content_type="text/plain; charset=utf-8")
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def basic_credentials(request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep and username else None


def _remembered_key(username: str, password: str, stored_hash: str) -> str:
    return "opds-basic:" + salted_hmac("opds-basic", f"{username}\0{password}\0{stored_hash}").hexdigest()


def _basic_user(request, username: str, password: str):
    from axes.handlers.proxy import AxesProxyHandler

    known = get_user_model()._default_manager.filter(username=username, is_active=True).first()
    if known is not None and known.has_usable_password():
        key = _remembered_key(username, password, known.password)
        if cache.get(key) == known.pk and AxesProxyHandler.is_allowed(request, {"username": username}):
            return known
    user = authenticate(request, username=username, password=password)
    if user is not None and user.is_active:
        cache.set(_remembered_key(username, password, user.password), user.pk, REMEMBER_SECONDS)
        return user
    return None


def opds_user(request):
    """The session's user, the API key's user or the Basic credentials' user; None if none of
    them is there and valid."""
    from core.models import ApiKey

    if request.user.is_authenticated and request.user.is_active:
        return request.user
    key = request.headers.get(API_KEY_HEADER) or request.GET.get(API_KEY_PARAM)
    if key:
        return ApiKey.user_for(key)
    credentials = basic_credentials(request)
    return _basic_user(request, *credentials) if credentials else None


def opds_view(view):
    """Authenticates as `opds_user` does and applies the roles table (core/permissions.py PAGES)
    to the URL name; the page middleware leaves the `opds` namespace to this."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = opds_user(request)
        if user is None:
            return challenge()
        request.user = user
        if not page_access(request.resolver_match.view_name).allows(role_of(user)):
            return HttpResponse("This needs the admin role.\n", status=403, content_type="text/plain")
        return view(request, *args, **kwargs)

    return guarded
