from django.urls import include, path

from reading import kosync, pages_views, views

urlpatterns = [
    path("read/<int:item_id>/", views.read_item, name="read-item"),
    path("read/files/<int:file_id>/", views.read_file, name="read-file"),
    path("read/files/<int:file_id>/download", views.download, name="file-download"),
    path("read/files/<int:file_id>/pages/<int:number>", views.comic_page, name="comic-page"),
    path("users/", pages_views.user_list, name="users"),
    path("users/<int:user_id>/", pages_views.user_detail, name="user-detail"),
    path("shelves/", pages_views.shelf_list, name="shelves"),
    path("shelves/<int:shelf_id>/", pages_views.shelf_detail, name="shelf-detail"),
    path("account/koreader/", pages_views.koreader_sync, name="koreader-sync"),
    path("account/devices/", pages_views.devices, name="devices"),
    path("settings/mail/", pages_views.mail_settings, name="mail-settings"),
    path("kosync/users/create", kosync.create_user, name="kosync-create"),
    path("kosync/users/auth", kosync.auth_user, name="kosync-auth"),
    path("kosync/syncs/progress", kosync.update_progress, name="kosync-update"),
    path("kosync/syncs/progress/<str:document>", kosync.get_progress, name="kosync-progress"),
    path("kosync/healthcheck", kosync.healthcheck, name="kosync-health"),
    path("read/files/<int:file_id>/convert/<slug:target>", views.convert, name="file-convert"),
    path("read/items/<int:item_id>/zip", views.item_zip, name="item-zip"),
    path("opds/", include("reading.opds.urls")),
]
