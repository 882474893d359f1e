from django.urls import path

from notifications import views

urlpatterns = [
    path("system/health/", views.health_page, name="system-health"),
    path("system/health/check", views.health_run, name="system-health-run"),
    path("system/health/settings", views.health_settings, name="system-health-settings"),
    path("settings/notifications/", views.connections, name="notifications"),
    path("settings/notifications/<int:connection_id>/", views.connection_detail, name="notification-detail"),
    path("settings/notifications/<int:connection_id>/test", views.connection_test, name="notification-test"),
    path("settings/notifications/<int:connection_id>/delete", views.connection_delete, name="notification-delete"),
]
