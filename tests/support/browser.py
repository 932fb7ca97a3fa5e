"""Debian's Chromium driven by Playwright, and the admin page as the browser tests use it.

No browser is downloaded: the tests use /usr/bin/chromium (`apt-get install chromium`; `.ci/run`
installs it). Without it they skip with the reason, and fail instead when `CI` is set.
Each step's screenshot goes to test-artifacts/screenshots/<database>/<viewport>/ (git ignores
test-artifacts/; CI keeps it as an artifact).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.servers import Server
from tests.support.tenants import PASSWORD

CHROMIUM = Path(os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Playwright's own waits; a backup or restore of a few records takes well under this.
TIMEOUT_MS = 20_000


def require_chromium() -> None:
    """Skip (or, under CI, fail) when Chromium or Playwright is missing."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing = missing or "Playwright is not installed (pip install -e '.[test]')"
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing}, and CI must run the browser tests", pytrace=False)
    pytest.skip(missing)


def same_origin(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    return f"{parts.scheme.replace('ws', 'http')}://{parts.netloc}" == origin


@dataclass
class Watched:
    """What a page did that a test must not let pass: script errors, requests elsewhere."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    # Paths a test has the server refuse on purpose: Chromium logs each refusal (a 4xx) as an
    # error of the console, which is then the test's point, not the page's fault.
    refused_paths: set[str] = field(default_factory=set)

    def console(self, message: Any) -> None:
        if message.type == "error" and not self._refused_on_purpose(message):
            self.errors.append(f"console: {message.text}")

    def _refused_on_purpose(self, message: Any) -> bool:
        refused = message.text.startswith("Failed to load resource")
        return refused and urlsplit(message.location.get("url", "")).path in self.refused_paths

    def page_error(self, error: Any) -> None:
        self.errors.append(f"page error: {error}")

    def request(self, request: Any) -> None:
        if urlsplit(request.url).scheme in ("data", "blob"):
            return
        if not same_origin(request.url, self.origin):
            self.foreign_requests.append(request.url)


async def refuse_other_hosts(context: Any, origin: str) -> None:
    """Every request of the browser context to anywhere but `origin` is aborted (websockets
    closed), as on a network that reaches only the service."""

    async def refuse(route: Any) -> None:
        await route.abort("addressunreachable")

    async def close(socket: Any) -> None:
        await socket.close()

    await context.route(lambda url: not same_origin(url, origin), refuse)
    await context.route_web_socket(lambda url: not same_origin(url, origin), close)


async def sign_in(page: Any, email: str, password: str) -> None:
    """The sign-in form's own fields: the users page has an email field too."""
    form = page.locator("#sign-in-form")
    await form.get_by_label("Email").fill(email)
    await form.get_by_label("Password").fill(password)
    await form.get_by_role("button", name="Sign in").click()


class AdminPage:
    """A browser tab on /admin, and the steps the tests take on it."""

    def __init__(
        self, page: Any, server: Server, db_kind: str, watched: Watched, viewport: str
    ) -> None:
        self.page = page
        self.server = server
        self.db_kind = db_kind
        self.watched = watched
        self.viewport = viewport

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"

    async def open(self) -> None:
        await self.page.goto(f"{self.server.url}/admin")

    async def sign_in(self, email: str, password: str = PASSWORD) -> None:
        await sign_in(self.page, email, password)

    async def signed_in(self, email: str) -> None:
        await self.open()
        await self.sign_in(email)
        await self.page.locator("#workspace").wait_for()
        await self.page.locator("#live-status[data-status=live]").wait_for()

    async def screenshot(self, name: str) -> Path:
        """Saved as test-artifacts/screenshots/<database>/<viewport>/<name>.png."""
        path = SCREENSHOTS / self.db_kind / self.viewport / f"{name}.png"
        # From the top: a full-page shot of a scrolled page draws the sticky bar mid-page.
        await self.page.evaluate("window.scrollTo(0, 0)")
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    def backup_row(self, backup_id: str) -> Any:
        return self.page.locator(f'#backups-table tr[data-backup-id="{backup_id}"]')

    async def users_page(self) -> Any:
        """The users page, its list shown; returns the list's table."""
        await self.page.get_by_role("link", name="Users").click()
        table = self.page.locator("#users-table")
        await table.locator("tbody tr").first.wait_for()
        return table

    def user_row(self, email: str) -> Any:
        return self.page.locator(f'#users-table tr[data-email="{email}"]')

    async def confirm(self, title: str, action: str) -> None:
        """Answers the page's confirmation dialog `title` with its `action` button."""
        await self.page.get_by_role("dialog", name=title).get_by_role("button", name=action).click()

    async def another_tab(self) -> Any:
        """A second tab of the same browser: a session of its own (sessionStorage is per tab)."""
        page = await self.page.context.new_page()
        page.on("console", self.watched.console)
        page.on("pageerror", self.watched.page_error)
        return page


# The page's controls that a message (.toast) lies over, by their text or label.
_COVERED = """() => {
  const boxes = [...document.querySelectorAll(".toast")]
    .map((toast) => toast.getBoundingClientRect());
  const over = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const controls = "button, a[href], input, select, textarea, summary";
  return [...document.querySelectorAll(controls)]
    .filter((control) => !control.closest(".toast") && control.getClientRects().length)
    .filter((control) => boxes.some((box) => over(box, control.getBoundingClientRect())))
    .map((control) => control.getAttribute("aria-label") || control.textContent.trim()
      || control.id);
}"""


async def controls_under_messages(page: Any) -> list[str]:
    return list(await page.evaluate(_COVERED))


async def announce(page: Any, *messages: str) -> None:
    """Messages through the page's own `announce`, as its panels send them."""
    await page.evaluate(
        "async (messages) => { const dom = await import('./lib/dom.js');"
        " messages.forEach((message) => dom.announce(message)); }",
        list(messages),
    )


async def on_screen(locator: Any) -> bool:
    """The element lies wholly within the viewport's width (a phone's, say)."""
    box = await locator.bounding_box()
    width = await locator.page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


# Marks each visible, enabled control with the key it is known by (one per radio group: Tab
# enters a group once, the arrow keys move within it); returns how many there are.
_MARK_CONTROLS = """() => {
  document.querySelectorAll("[data-keyboard-key]")
    .forEach((control) => delete control.dataset.keyboardKey);
  const selector = "button, a[href], input, select, textarea, summary, [tabindex]";
  const controls = [...document.querySelectorAll(selector)].filter((control) =>
    !control.matches(":disabled") && control.tabIndex >= 0 && control.getClientRects().length
    && getComputedStyle(control).visibility !== "hidden");
  controls.forEach((control, index) => {
    control.dataset.keyboardKey = control.type === "radio" ? `radio:${control.name}` : `${index}`;
  });
  return controls.length;
}"""
_UNREACHED = """(reached) => [...document.querySelectorAll("[data-keyboard-key]")]
  .filter((control) => !reached.includes(control.dataset.keyboardKey))
  .map((control) => control.getAttribute("aria-label") || control.textContent.trim()
    || control.id || control.name || control.outerHTML.slice(0, 80))"""


async def unreachable_by_keyboard(page: Any) -> list[str]:
    """The page's visible controls that pressing Tab from the top never reaches."""
    count = await page.evaluate(_MARK_CONTROLS)
    await page.evaluate("document.activeElement?.blur()")
    reached: list[str] = []
    for _ in range(count * 2 + 10):
        await page.keyboard.press("Tab")
        key = await page.evaluate("document.activeElement?.dataset.keyboardKey ?? null")
        if key is not None:
            reached.append(key)
    return list(await page.evaluate(_UNREACHED, reached))
