from django.urls import path

from search import settings_views, source_views, views

urlpatterns = [
    path("search/", views.metadata_search, name="metadata-search"),
    path("review/", views.review_queue, name="review"),
    path("sources/", source_views.data_sources, name="data-sources"),
    path("sources/add", source_views.data_source_add, name="data-source-add"),
    path("sources/<slug:name>/retire", source_views.data_source_retire, name="data-source-retire"),
    path("settings/metadata/", settings_views.metadata_page, name="metadata-settings"),
    path("settings/metadata/<slug:name>/", settings_views.save_provider, name="metadata-provider-save"),
    path("library/<int:item_id>/", views.book_detail, name="book-detail"),
    path("library/<int:item_id>/covers/<slug:candidate_id>", views.cover_candidate, name="cover-candidate"),
    path("items/<int:item_id>/", views.item_redirect, name="item-redirect"),
    path("series/", views.series_list, name="series-list"),
    path("series/<int:series_id>/", views.series_detail, name="series-detail"),
    path("series/<int:series_id>/cover", views.series_cover, name="series-cover"),
    path("authors/", views.author_list, name="author-list"),
    path("authors/<int:author_id>/", views.author_detail, name="author-detail"),
]
