"""Keep the search index in step with catalogue writes (see media.search_index)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate, post_save

from media import search_index
from media.models import Author, Contribution, Identifier, ItemTag, LibraryFile, MediaItem, Series


def _item_changed(sender, instance, **kwargs) -> None:
    search_index.reindex_items([instance.pk])


def _child_changed(sender, instance, **kwargs) -> None:
    if instance.item_id:
        search_index.reindex_items([instance.item_id])


def _author_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        search_index.reindex_items(
            Contribution.objects.filter(author_id=instance.pk).values_list("item_id", flat=True)
        )


def _series_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        search_index.reindex_items(
            MediaItem.objects.filter(series_id=instance.pk).values_list("pk", flat=True)
        )


def _after_migrate(sender, **kwargs) -> None:
    if sender.name == "media":
        search_index.remove_orphans()


def connect() -> None:
    post_save.connect(_item_changed, sender=MediaItem, dispatch_uid="search-item-save")
    post_delete.connect(_item_changed, sender=MediaItem, dispatch_uid="search-item-delete")
    for model in (Contribution, Identifier, ItemTag, LibraryFile):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"search-{model.__name__}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"search-{model.__name__}-delete")
    post_save.connect(_author_changed, sender=Author, dispatch_uid="search-author-save")
    post_save.connect(_series_changed, sender=Series, dispatch_uid="search-series-save")
    post_migrate.connect(_after_migrate, dispatch_uid="search-orphans")
