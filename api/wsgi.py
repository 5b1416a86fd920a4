"""gunicorn entry point: ``gunicorn api.wsgi:app``. Imported in each worker, after fork."""

from api.app import create_app

app = create_app()
