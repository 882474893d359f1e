"""Backups: archives of the database and the covers (`service`), restored by
`manage.py restore` (`restore`)."""
