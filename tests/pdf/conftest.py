from datetime import date

import pytest

from fundtracker.core.extensions import db
from fundtracker.services import publications

# A day after every period the tests publish has ended.
PUBLISHED_ON = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def reports_folder(app, tmp_path, monkeypatch):
    """Built PDFs go to a temporary folder, not the instance folder."""
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", str(tmp_path / "reports"))
    return tmp_path / "reports"


@pytest.fixture
def publish(officer):
    """Publish a period (and the periods inside it) as an officer would: publish(key). Nobody is
    told (the tests of reports watch their own notifications)."""

    def _publish(key: str, today: date = PUBLISHED_ON):
        made = publications.publish(db.session, officer, key, today, tell=False)
        db.session.commit()
        return made

    return _publish
