from django.urls import path

from downloaders import views

urlpatterns = [
    path("downloads/", views.queue_page, name="downloads"),
    path("downloads/wanted/", views.wanted_page, name="downloads-wanted"),
    path("downloads/search/<int:media_id>/", views.search_page, name="downloads-search"),
    path("downloads/blacklist/", views.blacklist_page, name="downloads-blacklist"),
]
