"""Route modules: each defines `router` (HTML pages) and `api` (their JSON twins under /api/v1)."""
