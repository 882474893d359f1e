from django.urls import path

from monitoring import views

urlpatterns = [
    path("monitoring/", views.overview, name="monitoring"),
    path("monitoring/authors/<int:author_id>/", views.author_page, name="monitor-author"),
    path("monitoring/series/<int:series_id>/", views.series_page, name="monitor-series"),
    path("monitoring/follow", views.follow, name="monitor-follow"),
    path("monitoring/<str:what>/<int:monitor_id>/change", views.change, name="monitor-change"),
    path("monitoring/<str:what>/<int:monitor_id>/want-missing", views.want_missing, name="monitor-want-missing"),
    path("monitoring/check", views.check_now, name="monitor-check"),
    path("monitoring/books/<int:book_id>/resolve", views.resolve, name="monitor-resolve"),
    path("monitoring/settings", views.settings_save, name="monitor-settings"),
    path("calendar/", views.calendar_page, name="calendar"),
]
