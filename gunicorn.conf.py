# gunicorn reads ./gunicorn.conf.py by default: `gunicorn` in this folder serves Ringkas.
# The settings live in api/gunicorn_config.py, derived from the RINGKAS_* environment.
from api.gunicorn_config import *  # noqa: F401,F403
