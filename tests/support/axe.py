"""axe-core, the accessibility checker, run inside the admin page by the browser tests only.

Vendored from the npm registry, pinned: `tests/support/vendor/axe.min.js` is axe-core
VERSION's `axe.min.js`, and its SHA-256 is the one axe-core publishes for that version (its
package's sri-history.json). The file is checked against it before every use, so a changed
file fails the tests instead of checking the page with something else. To update it:
`npm pack axe-core@<version>` (npm checks the tarball's integrity), copy `package/axe.min.js`
here, and set VERSION and SRI from `package/sri-history.json`.
"""

import base64
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

VERSION = "4.14.1"
SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="
SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
# What counts: axe's two highest impacts.
SERIOUS = ("serious", "critical")

_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  });
  return result.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@cache
def source() -> str:
    """axe.min.js, once its hash is the pinned one."""
    content = SOURCE.read_bytes()
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    if f"sha256-{digest}" != SRI:
        raise AssertionError(f"{SOURCE} is not axe-core {VERSION}'s axe.min.js ({SRI})")
    return content.decode()


async def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now. The script goes in
    through the DevTools protocol: the page's own Content-Security-Policy would refuse it as
    an inline script, and the page itself never loads it."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(source())
    violations: list[dict[str, Any]] = await page.evaluate(_RUN)
    return [violation for violation in violations if violation["impact"] in SERIOUS]
