"""Response headers and request rules that hold for every page."""

from __future__ import annotations

from flask import Flask

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


_ALWAYS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def init_security(app: Flask) -> None:
    wanted = _ALWAYS + ((_HSTS,) if app.config.get("SESSION_COOKIE_SECURE") else ())

    @app.after_request
    def _headers(response):
        headers = response.headers
        # Each header unless the view set its own (one pass over the headers: every response).
        present = {name.lower() for name, _value in headers}
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        # Pages and downloads carry personal data: keep them out of every cache.
        if response.mimetype == "text/html" and "cache-control" not in present:
            headers["Cache-Control"] = "no-store"
        if "attachment" in headers.get("Content-Disposition", ""):
            headers["Cache-Control"] = "private, no-store"
        return response
