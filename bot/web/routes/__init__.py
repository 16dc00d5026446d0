"""The web app's routes, one module per capability (assembled in bot/web/app.py)."""
