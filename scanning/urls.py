from django.urls import path

from scanning import views

urlpatterns = [
    path("library/scanning/", views.scanning_page, name="scanning"),
]
