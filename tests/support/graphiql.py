"""GraphiQL's page as the tests read it: what it loads."""

import re

# The page's own references: scripts, style sheets, the icon and the admin page.
REFERENCES = re.compile(r'(?:src|href)="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)")


def references(html: str) -> set[str]:
    return set(REFERENCES.findall(html))


def loaded_files(html: str) -> set[str]:
    """The files the page loads, as paths in the wheel (its references are under /admin/)."""
    return {"server" + reference for reference in references(html) if not reference.endswith("/")}
