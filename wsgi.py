"""gunicorn entry point: ``gunicorn wsgi:app``."""

from matchmaker import create_app

app = create_app()
