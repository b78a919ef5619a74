"""The web archive and its JSON API (FastAPI, server-rendered Jinja2 pages, vendored assets)."""

from unsealed.web.app import create_app

__all__ = ["create_app"]
