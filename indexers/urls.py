from django.urls import path

from indexers import settings_views, views

urlpatterns = [
    path("indexers/parse/", views.parse_page, name="parse-release"),
    path("settings/indexers/", settings_views.indexers_page, name="indexer-settings"),
    path("settings/indexers/add/", settings_views.add_indexer, name="indexer-add"),
    path("settings/indexers/<int:pk>/", settings_views.edit_indexer, name="indexer-edit"),
    path("settings/indexers/<int:pk>/delete/", settings_views.delete_indexer, name="indexer-delete"),
    path("settings/indexers/<int:pk>/enabled/", settings_views.toggle_indexer, name="indexer-toggle"),
]
