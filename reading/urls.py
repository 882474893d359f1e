from django.urls import path

from reading import views

urlpatterns = [
    path("read/<int:item_id>/", views.read_item, name="read-item"),
    path("read/files/<int:file_id>/", views.read_file, name="read-file"),
    path("read/files/<int:file_id>/download", views.download, name="file-download"),
    path("read/files/<int:file_id>/pages/<int:number>", views.comic_page, name="comic-page"),
]
