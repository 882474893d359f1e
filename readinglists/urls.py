from django.urls import path

from readinglists import views

urlpatterns = [
    path("reading-lists/", views.lists_page, name="reading-lists"),
    path("reading-lists/review/", views.review_page, name="reading-list-review"),
    path("reading-lists/review/<int:pk>/", views.resolve_entry, name="reading-list-resolve"),
    path("reading-lists/<int:pk>/", views.list_page, name="reading-list"),
    path("reading-lists/<int:pk>/run/", views.run_list, name="reading-list-run"),
]
