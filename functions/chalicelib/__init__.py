"""The HTTP edge of the Chalice app: the routes declared by area (routes/, routing.py), each
with who may call it (checked per request from the declaration), the OpenAPI document built
from them, and the one error shape (edge.py)."""
