"""The audit trail as people read it: each record's History page and the admins' search.

The trail is append-only: tracker.history.guard refuses any update or delete of an entry.
"""
