"""Exports of the archive to other tools' formats."""
