"""Small helpers every domain may use: nothing here imports a Waymark domain."""
