"""Errors of the search area; both carry a message meant for the user."""

from __future__ import annotations

from unsealed.errors import ExitCode, UnsealedError


class QueryError(UnsealedError):
    """The query cannot be run as typed (too long, empty, a bad date, ...)."""

    exit_code = ExitCode.USAGE


class SearchIndexError(UnsealedError):
    """The index is missing, outdated or locked by another writer; the message says what to run."""

    exit_code = ExitCode.USAGE
