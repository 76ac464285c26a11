"""The HTTP edge of the Chalice app: the routes declared by area (routes/, routing.py), the
OpenAPI document built from them, auth per request, and the one error shape (edge.py)."""
