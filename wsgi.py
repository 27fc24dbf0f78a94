"""The WSGI entry point: the only module that makes an app object at import time.

Without FUNDTRACKER_CONFIG it runs the production configuration, which refuses to start without a
real SECRET_KEY: a server never runs on development settings by accident. scripts/run.sh sets
FUNDTRACKER_CONFIG=development for the local server.
"""

import gc
import os

from fundtracker import create_app

app = create_app(os.environ.get("FUNDTRACKER_CONFIG", "production"))
# What start-up made lives as long as the process: keep it out of the cyclic collector's full
# passes, which otherwise walk it all (about 100 ms each, the dashboard's p95 at scale).
gc.freeze()
