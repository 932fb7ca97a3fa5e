"""The admin page's files over real HTTP: each folder serves its own kind of file, with the
page's Content-Security-Policy, and nothing else of the package (its Python sources)."""

import httpx
import pytest

from server.admin import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/admin/", "text/html"),
        ("/admin/app.js", "text/javascript"),
        ("/admin/css/admin.css", "text/css"),
        ("/admin/lib/api.js", "text/javascript"),
        ("/admin/panels/backups.js", "text/javascript"),
        ("/admin/graphiql/graphiql.js", "text/javascript"),
        ("/admin/graphiql/vendor/graphiql/graphiql.min.css", "text/css"),
    ],
)
async def test_the_page_files_are_served_with_its_policy(
    http: httpx.AsyncClient, path: str, content_type: str
) -> None:
    response = await http.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path",
    [
        "/admin/__init__.py",
        "/admin/lib/../__init__.py",
        "/admin/css/app.js",
        # Served only at /graphql, and the licences ship without being served.
        "/admin/graphiql/index.html",
        "/admin/graphiql/vendor/react/LICENSE",
    ],
)
async def test_nothing_else_of_the_package_is_served(http: httpx.AsyncClient, path: str) -> None:
    assert (await http.get(path)).status_code == 404
