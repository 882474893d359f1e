from django.urls import path

from indexers import views

urlpatterns = [path("indexers/parse/", views.parse_page, name="parse-release")]
