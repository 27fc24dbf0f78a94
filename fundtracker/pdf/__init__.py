"""PDF reports: context builders that return plain data (context.py), rendering through
WeasyPrint with a restricted URL fetcher (render.py), stored reports and their fingerprints
(service.py), and the background jobs that build them (jobs.py)."""
