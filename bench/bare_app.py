"""The baseline for the throughput benchmark: a bare Flask route that runs one indexed select on
the same database, served by the same gunicorn settings. `gunicorn bench.bare_app:app`."""

import os

from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=False)


@app.get("/bare")
def bare():
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, title_en FROM projects WHERE code = :code"), {"code": "QH-B-005000"}
        ).first()
    return {"id": row[0] if row else None}
