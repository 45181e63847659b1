from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Login by e-mail, case-insensitively (the manager's natural key is e-mail iexact)."""
