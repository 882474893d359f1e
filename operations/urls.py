from django.urls import path

from operations import views

urlpatterns = [
    path("operations/backups/", views.backups, name="operations-backups"),
    path("operations/backups/start", views.backup_start, name="operations-backup-start"),
    path("operations/backups/<str:name>", views.backup_download, name="operations-backup-download"),
    path("operations/integrity/", views.integrity, name="operations-integrity"),
    path("operations/integrity/start", views.integrity_start, name="operations-integrity-start"),
    path("operations/integrity/findings/<int:finding_id>/fix", views.integrity_fix, name="operations-integrity-fix"),
]
