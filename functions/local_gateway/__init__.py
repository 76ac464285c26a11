"""The local gateway: serves functions/app.py (and web/) over real HTTP, as API Gateway would."""
