"""Small helpers every domain may use: nothing here imports a Waymark domain, except
``tasks``, which enters a centre's scope (``centre``, the tenancy every domain is built on)."""
