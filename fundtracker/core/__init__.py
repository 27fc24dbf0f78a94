"""The infrastructure the app runs on, with no rules of the fund's own: the unbound Flask
extensions, database engine events and the data version, the page cache, file storage and the
fund's calendar, mail, security headers, languages and formatting, error pages, the login loader."""
