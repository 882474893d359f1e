from django.urls import path

from processing.renaming import views

urlpatterns = [
    path("rename-books/", views.rename_books, name="rename_books"),
    path("rename-books/templates/", views.rename_templates, name="rename_templates"),
    path("rename-books/history/", views.rename_history, name="rename_history"),
]
