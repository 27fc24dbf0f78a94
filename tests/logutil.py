"""What the app logs, for tests that migrate a database of their own: Alembic's fileConfig
disables the loggers that exist and takes pytest's handler off the root logger, so `caplog`
sees nothing; the `app_log` fixture (tests/conftest.py) gives the app's logger a handler of its
own, and `loggers_on()` turns the app's loggers back on after migrating."""

from __future__ import annotations

import logging


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(r.getMessage() + (r.exc_text or "") for r in self.records)


def loggers_on() -> None:
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("fundtracker") and isinstance(logger, logging.Logger):
            logger.disabled = False
