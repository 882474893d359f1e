"""JSON API conventions shared by every app: the response envelope, authentication
(session or X-Api-Key), roles, error mapping and pagination."""
