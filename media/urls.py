from django.urls import path

from media import views

urlpatterns = [
    path("library/", views.library, name="library"),
    path("wanted/", views.wanted, name="wanted"),
]
