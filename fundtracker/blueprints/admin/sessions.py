"""Admin pages: sessions (issue #19). Filled in by its change."""
