from django.urls import path

from reading import views

urlpatterns = [
    path("read/files/<int:file_id>/download", views.download, name="file-download"),
    path("read/files/<int:file_id>/pages/<int:number>", views.comic_page, name="comic-page"),
    path("read/files/<int:file_id>/convert/<slug:target>", views.convert, name="file-convert"),
    path("read/items/<int:item_id>/zip", views.item_zip, name="item-zip"),
]
