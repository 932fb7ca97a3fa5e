"""GraphiQL's page at /graphql over real HTTP: the service's own page under the admin page's
policy, whose every script and style sheet the service serves itself; none when it is off."""

import httpx

from server.admin import CONTENT_SECURITY_POLICY
from server.app import create_app
from server.settings import Settings
from tests.support.graphiql import INLINE_SCRIPT, references

AS_A_BROWSER = {"Accept": "text/html"}


async def test_graphiql_is_the_services_own_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers=AS_A_BROWSER)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    loaded = references(response.text)
    assert "/admin/graphiql/vendor/graphiql/graphiql.min.js" in loaded
    assert not INLINE_SCRIPT.search(response.text)  # the policy would refuse one
    for reference in loaded:
        served = await http.get(reference)
        assert served.status_code == 200, reference
        assert served.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        # Maps are not shipped: a file naming one would cost a 404 in developer tools.
        assert "sourceMappingURL" not in served.text, reference


async def test_no_graphiql_when_it_is_off(settings: Settings) -> None:
    # Strawberry decides before any database work, so the app's lifespan is not needed.
    app = create_app(settings.model_copy(update={"graphiql": False}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        assert (await client.get("/graphql", headers=AS_A_BROWSER)).status_code == 404
        # Its files stay reachable: they are public libraries, and the page is what is off.
        assert (await client.get("/admin/graphiql/graphiql.js")).status_code == 200
