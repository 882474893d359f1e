from django.urls import path

from downloaders import client_views, views

urlpatterns = [
    path("downloads/", views.queue_page, name="downloads"),
    path("downloads/wanted/", views.wanted_page, name="downloads-wanted"),
    path("downloads/search/<int:media_id>/", views.search_page, name="downloads-search"),
    path("downloads/blacklist/", views.blacklist_page, name="downloads-blacklist"),
    path("settings/clients/", client_views.clients_page, name="download-clients"),
    path("settings/clients/add/", client_views.add_client, name="download-client-add"),
    path("settings/clients/<int:pk>/", client_views.edit_client, name="download-client"),
    path("settings/clients/<int:pk>/delete/", client_views.delete_client, name="download-client-delete"),
    path("settings/clients/<int:pk>/enabled/", client_views.toggle_client, name="download-client-toggle"),
]
