from django.urls import path

from indexers import profile_views, settings_views, views

urlpatterns = [
    path("indexers/parse/", views.parse_page, name="parse-release"),
    path("settings/indexers/", settings_views.indexers_page, name="indexer-settings"),
    path("settings/indexers/add/", settings_views.add_indexer, name="indexer-add"),
    path("settings/indexers/<int:pk>/", settings_views.edit_indexer, name="indexer-edit"),
    path("settings/indexers/<int:pk>/delete/", settings_views.delete_indexer, name="indexer-delete"),
    path("settings/indexers/<int:pk>/enabled/", settings_views.toggle_indexer, name="indexer-toggle"),
    path("settings/profiles/", profile_views.profiles_page, name="format-profiles"),
    path("settings/profiles/add/", profile_views.add_profile, name="format-profile-add"),
    path("settings/profiles/<int:pk>/", profile_views.edit_profile, name="format-profile-edit"),
    path("settings/profiles/<int:pk>/delete/", profile_views.delete_profile, name="format-profile-delete"),
    path("settings/profiles/<int:pk>/default/", profile_views.default_profile, name="format-profile-default"),
    path("library/<int:item_id>/profile/", profile_views.item_profile, name="item-format-profile"),
]
