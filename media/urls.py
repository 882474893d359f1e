from django.urls import path

from media import views

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("library/", views.library, name="library"),
    path("library/<int:item_id>/", views.book_detail, name="book-detail"),
    path("covers/<int:item_id>", views.cover, name="cover"),
    path("covers/<int:item_id>/thumb", views.cover_thumb, name="cover-thumb"),
    path("series/", views.series_list, name="series-list"),
    path("series/<int:series_id>/", views.series_detail, name="series-detail"),
    path("authors/", views.author_list, name="author-list"),
    path("authors/<int:author_id>/", views.author_detail, name="author-detail"),
    path("wanted/", views.wanted, name="wanted"),
]
