"""Preflight's exit statuses, shared by its commands (light to import: the review reads them before it loads the
program's modules)."""

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


