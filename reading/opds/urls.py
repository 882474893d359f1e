"""/opds/ (OPDS 1.2, what most reading apps speak) and /opds/v2/ (OPDS 2.0 JSON) list the same
feeds; files, comic pages and covers are served under /opds/ too, so the app's credentials (its
Basic protection space is the /opds/ path) and the `?apikey=` of a link reach them."""

from django.urls import path

from reading.opds import views

app_name = "opds"

FEEDS = [
    ("", views.root, "root"),
    ("recent/", views.recent, "recent"),
    ("books/", views.books, "books"),
    ("authors/", views.authors, "authors"),
    ("authors/<int:author_id>/", views.author, "author"),
    ("series/", views.series_list, "series-list"),
    ("series/<int:series_id>/", views.series, "series"),
    ("shelves/", views.shelves, "shelves"),
    ("shelves/<int:shelf_id>/", views.shelf, "shelf"),
    ("continue/", views.continue_reading, "continue"),
    ("search/", views.search, "search"),
]

urlpatterns = [
    *(path(route, view, {"version": 1}, name=name) for route, view, name in FEEDS),
    *(path("v2/" + route, view, {"version": 2}, name="v2-" + name) for route, view, name in FEEDS),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("files/<int:file_id>/download", views.download, name="download"),
    path("files/<int:file_id>/pse/<int:number>", views.pse_page, name="pse-page"),
    path("covers/<int:item_id>", views.cover, name="cover"),
    path("covers/<int:item_id>/thumb", views.cover_thumb, name="cover-thumb"),
]
