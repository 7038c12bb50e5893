"""GDPR for contact persons: export what is held about a person, erase it, review old contacts."""
