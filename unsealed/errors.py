"""One exception tree for the whole package, and the CLI's exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    SOME_FILES_FAILED = 1  # the run finished, but at least one file is recorded as failed
    USAGE = 2  # bad arguments or settings
    NOT_FOUND = 3  # the document, entity or archive asked for does not exist
    MISSING_DEPENDENCY = 4  # an external program (tesseract, chromium, ...) is not installed
    INTERRUPTED = 130


class UnsealedError(Exception):
    """Base of every error this package raises on purpose; the message is for the user."""

    exit_code = ExitCode.USAGE


class ConfigError(UnsealedError):
    exit_code = ExitCode.USAGE


class NotFoundError(UnsealedError):
    exit_code = ExitCode.NOT_FOUND


class MissingDependencyError(UnsealedError):
    """An external tool is missing; the message names the command that installs it."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class ExtractionError(UnsealedError):
    """A file could not be read; the message is recorded as the document's `error`."""


class ArchiveBusyError(UnsealedError):
    """Another process is writing to the archive (an ingest or reprocess); the message names it."""

    exit_code = ExitCode.USAGE
