from django.urls import path

from processing import settings_views, views

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:run_id>/", views.import_detail, name="import_detail"),
    path("settings/media/", settings_views.media_page, name="media-settings"),
    path("settings/media/libraries/<int:folder_id>/", settings_views.library_naming, name="media-library-naming"),
]
