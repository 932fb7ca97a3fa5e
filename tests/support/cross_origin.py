"""`crm-backup serve` as `make run` starts it, a site of another origin running the README's
client, and the steps a browser takes between them."""

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.support.backups import request_backup
from tests.support.browser import SCREENSHOTS, TIMEOUT_MS, sign_in
from tests.support.graphql import graphql_client
from tests.support.network import free_port
from tests.support.servers import serving
from tests.support.storage import BACKUP_KEYS
from tests.support.tenants import LOGIN

README = Path(__file__).resolve().parents[2] / "README.md"
# The client pages are served from loopback too: a browser lets a page call a loopback address,
# like the test server's, only from a loopback address (local network access).
SIGN_IN = re.compile(r"^Sign in at \S+ with (\S+) / (\S+)$")


@dataclass
class Served:
    url: str
    lines: list[str]
    email: str
    password: str


@contextlib.asynccontextmanager
async def crm_backup_serve(tmp_path: Path, cors_origin: str) -> AsyncIterator[Served]:
    """The installed command on the embedded default, seeding the demo account, with one
    origin allowed."""
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "REDIS_", "STORAGE_", "CORS_", "SEED_", "SSO_"))
    }
    environment.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite://{tmp_path / 'crm.sqlite3'}",
        STORAGE_DIR=str(tmp_path / "backups"),
        WORK_DIR=str(tmp_path / "work"),
        SECRET_KEY="browser-test-secret-key-that-is-long-enough",
        BACKUP_KEYS=BACKUP_KEYS,
        CORS_ORIGINS=cors_origin,
    )
    command = Path(sys.executable).with_name("crm-backup")
    process = await asyncio.create_subprocess_exec(
        str(command),
        "serve",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        async with asyncio.timeout(60):
            while not (found := SIGN_IN.match(lines[-1] if lines else "")):
                line = await process.stdout.readline()
                assert line, f"crm-backup serve stopped: {lines}"
                lines.append(line.decode().strip())
        yield Served(f"http://127.0.0.1:{port}", lines, found[1], found[2])
    finally:
        process.send_signal(signal.SIGINT)
        try:
            async with asyncio.timeout(15):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


def origin(port: int) -> str:
    # `localhost`, not 127.0.0.1: another origin than the API's, on the same machine.
    return f"http://localhost:{port}"


def readme_client(api: str, email: str, password: str) -> str:
    """The README's client, pointed at this server with the demo account's password."""
    section = README.read_text().split("### Cross-origin apps", 1)[1]
    code = section.split("```js\n", 1)[1].split("```", 1)[0]
    assert 'const API = "http://127.0.0.1:8000/graphql";' in code
    assert '"admin@demo.example"' in code and '"<password>"' in code
    code = code.replace("http://127.0.0.1:8000/graphql", f"{api}/graphql")
    code = code.replace('"admin@demo.example"', f'"{email}"')
    return code.replace('"<password>"', f'"{password}"')


@contextlib.asynccontextmanager
async def client_site(port: int, script: str) -> AsyncIterator[str]:
    """A site of its own on `port` serving a page that runs `script`; yields the page's URL."""

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(
            f'<!doctype html><title>client</title><script type="module">{script}</script>'
        )

    async with serving(Starlette(routes=[Route("/", page)]), port=port):
        yield f"{origin(port)}/"


async def demo_admin_page(context: Any, served: Served) -> None:
    """The page `make run` points to, served from the installed package, signs in."""
    page = await context.new_page()
    await page.goto(f"{served.url}/admin")
    await sign_in(page, served.email, served.password)
    await expect(page.locator("#account-name")).to_contain_text("Demo Company")
    await expect(page.locator("#live-status")).to_have_text("Live")
    await page.screenshot(
        path=str(SCREENSHOTS / "sqlite" / "00-make-run-demo-account.png"), full_page=True
    )
    await page.close()


async def allowed_origin(context: Any, served: Served, port: int) -> None:
    page = await context.new_page()
    subscribed = asyncio.Event()

    def on_frame_sent(frame: Any) -> None:
        if '"subscribe"' in str(frame):
            subscribed.set()

    page.on("websocket", lambda socket: socket.on("framesent", on_frame_sent))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    script = readme_client(served.url, served.email, served.password)
    async with (
        client_site(port, script) as url,
        page.expect_console_message(lambda m: m.text == "Your backup is ready"),
    ):
        await page.goto(url)
        async with asyncio.timeout(TIMEOUT_MS / 1000):
            await subscribed.wait()
        await create_backup(served)
    assert errors == []
    await page.close()


async def refused_origin(context: Any, served: Served, port: int) -> None:
    page = await context.new_page()
    script = readme_client(served.url, served.email, served.password)
    async with client_site(port, script) as url, page.expect_event("pageerror") as error:
        await page.goto(url)
    assert "Failed to fetch" in str(await error.value)
    # The websocket handshake, too, is refused for an origin not listed.
    closed = await page.evaluate(
        """url => new Promise(resolve => {
             const socket = new WebSocket(url, "graphql-transport-ws");
             socket.onopen = () => resolve("open");
             socket.onclose = event => resolve(`closed ${event.code}`);
           })""",
        served.url.replace("http", "ws") + "/graphql",
    )
    assert closed.startswith("closed")
    await page.close()


async def create_backup(served: Served) -> None:
    """Signs in to the demo account over the API and asks for a backup."""
    async with graphql_client(served.url) as gql:
        variables = {"email": served.email, "password": served.password}
        token = (await gql.data(LOGIN, variables))["login"]["token"]
        await request_backup(gql, token)
