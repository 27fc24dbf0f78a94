"""Admin pages: audit (issue #19). Filled in by its change."""
