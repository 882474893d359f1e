from django.urls import include, path

from reading import views

urlpatterns = [
    path("read/files/<int:file_id>/download", views.download, name="file-download"),
    path("read/files/<int:file_id>/pages/<int:number>", views.comic_page, name="comic-page"),
    path("opds/", include("reading.opds.urls")),
]
