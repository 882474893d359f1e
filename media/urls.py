from django.urls import path

from media import views

# The item detail page (/library/<id>/), series and author pages are the metadata app's
# (search/urls.py): they show provenance, which media cannot import.

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("dashboard/live", views.dashboard_live, name="dashboard-live"),
    path("library/", views.library, name="library"),
    path("library/preferences/", views.save_preferences, name="user-preferences"),
    path("covers/<int:item_id>", views.cover, name="cover"),
    path("covers/<int:item_id>/thumb", views.cover_thumb, name="cover-thumb"),
    path("wanted/", views.wanted, name="wanted"),
]
