"""The admin page at `/admin`: static HTML, CSS and JavaScript modules in this package.

The page is a client of the public GraphQL API like any other SPA: no server-side rendering,
no build step. The files are served as they are, with a Content-Security-Policy that lets the
page talk only to this service (its own origin, over HTTP and websockets):

    index.html, app.js (the entry point), icon.svg
    css/        the style sheet
    lib/        shared plumbing: the API (HTTP, websockets), elements, formats, errors, session
    panels/     one module per part of the page
    graphiql/   GraphiQL's page (served at /graphql when GraphiQL is on), its module and style,
                and vendor/: React, GraphiQL and graphql-ws as their npm packages built them
                (installed by `make graphiql-assets`, tools/graphiql_assets.py)
"""

import os
import stat
from pathlib import Path

from starlette.responses import FileResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIRECTORY = Path(__file__).resolve().parent
PATH = "/admin"

# 'self' covers same-origin ws:/wss: too; data: is for the two-factor QR code (an SVG data URI)
# and for the fonts that GraphiQL's style sheet embeds.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidated on every load (the ETag makes that cheap), so an upgrade shows at once.
    "Cache-Control": "no-cache",
}


# Which files each folder of the page serves (the wheel's package-data in pyproject.toml says
# the same); anything else, such as the Python sources next to them, is not found.
SERVED = {
    Path("."): frozenset({".html", ".js", ".svg"}),
    Path("css"): frozenset({".css"}),
    Path("lib"): frozenset({".js"}),
    Path("panels"): frozenset({".js"}),
    # GraphiQL's page itself is served only at /graphql (`graphiql_page`).
    Path("graphiql"): frozenset({".js", ".css"}),
    Path("graphiql/vendor/react"): frozenset({".js"}),
    Path("graphiql/vendor/react-dom"): frozenset({".js"}),
    Path("graphiql/vendor/graphiql"): frozenset({".js", ".css"}),
    Path("graphiql/vendor/graphql-ws"): frozenset({".js"}),
}
GRAPHIQL_PAGE = DIRECTORY / "graphiql" / "index.html"


class AdminFiles(StaticFiles):
    """The page's files, and nothing else."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        full_path, stat_result = super().lookup_path(path)
        if stat_result is None or stat.S_ISDIR(stat_result.st_mode):
            return full_path, stat_result
        relative = Path(full_path).relative_to(DIRECTORY)
        if relative.suffix not in SERVED.get(relative.parent, frozenset()):
            return "", None
        return full_path, stat_result

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(HEADERS)
        return response


def mount() -> Mount:
    """`/admin/` serves index.html; `/admin` redirects there."""
    return Mount(PATH, AdminFiles(directory=DIRECTORY, html=True), name="admin")


def graphiql_page() -> Response:
    """GraphiQL, loading everything from this service, under the admin page's policy."""
    return FileResponse(GRAPHIQL_PAGE, headers=HEADERS)
