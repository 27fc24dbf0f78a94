"""The WSGI entry point: the only module that makes an app object at import time."""

from fundtracker import create_app

app = create_app()
