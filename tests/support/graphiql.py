"""GraphiQL's page as the tests read it (what it loads) and use it (running an operation)."""

import re
from typing import Any

# The page's own references: scripts, style sheets, the icon and the admin page.
REFERENCES = re.compile(r'(?:src|href)="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)")


def references(html: str) -> set[str]:
    return set(REFERENCES.findall(html))


def loaded_files(html: str) -> set[str]:
    """The files the page loads, as paths in the wheel (its references are under /admin/)."""
    return {"server" + reference for reference in references(html) if not reference.endswith("/")}


EDITOR = ".graphiql-query-editor .CodeMirror"
# GraphiQL parses the editor's text a moment after each change (debounced), and runs what it
# parsed: a subscription goes to the websocket only once it is known to be one.
PARSED = f"""text => document.querySelector("{EDITOR}").CodeMirror
    .documentAST?.loc?.source?.body === text"""


async def run_in_graphiql(page: Any, operation: str) -> None:
    """Puts `operation` in GraphiQL's query editor (CodeMirror's own API: typing would have
    the editor close brackets) and runs it, as parsed."""
    await page.locator(EDITOR).evaluate(
        "(editor, text) => editor.CodeMirror.setValue(text)", operation
    )
    await page.wait_for_function(PARSED, arg=operation)
    await page.locator(".graphiql-execute-button").click()
