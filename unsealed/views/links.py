"""The archive's own links, built in one place so every page, API body and export cites alike."""


def page_url(document_id: str, page: int) -> str:
    """The document page scrolled to one of its pages (what a citation links to)."""
    return f"/documents/{document_id}#page-{page}"
