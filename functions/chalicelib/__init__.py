"""The HTTP edge of the Chalice app: request parsing, auth, and the one error shape."""
