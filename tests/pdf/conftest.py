import pytest


@pytest.fixture(autouse=True)
def reports_folder(app, tmp_path, monkeypatch):
    """Built PDFs go to a temporary folder, not the instance folder."""
    monkeypatch.setitem(app.config, "REPORTS_FOLDER", str(tmp_path / "reports"))
    return tmp_path / "reports"
