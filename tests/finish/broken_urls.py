"""The app's URLconf plus a view that fails, for the 500 page test (handler500 as the app's)."""

from django.urls import include, path


def _broken(request):
    raise RuntimeError("a view failed")


handler500 = "core.views.server_error"
urlpatterns = [path("broken/", _broken), path("", include("omnireadarr.urls"))]
