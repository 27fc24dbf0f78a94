"""Admin pages: two_factor (issue #19). Filled in by its change."""
