"""The WSGI entry point: the only module that makes an app object at import time.

Without FUNDTRACKER_CONFIG it runs the production configuration, which refuses to start without a
real SECRET_KEY: a server never runs on development settings by accident. scripts/run.sh sets
FUNDTRACKER_CONFIG=development for the local server.
"""

import os

from fundtracker import create_app

app = create_app(os.environ.get("FUNDTRACKER_CONFIG", "production"))
