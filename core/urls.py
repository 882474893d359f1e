from django.contrib.auth import views as auth_views
from django.urls import path

from core import help_pages, views

urlpatterns = [
    path("activity/", views.activity, name="activity"),
    path("help/", help_pages.help_index, name="help"),
    path("help/<slug:topic>/", help_pages.help_topic, name="help-topic"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/schedules/", views.schedules_page, name="schedule-settings"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
