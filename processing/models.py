from processing.renaming.models import (  # noqa: F401  (Django finds the app's models here)
    NamingTemplate,
    RenameBatch,
    RenameOperation,
)
