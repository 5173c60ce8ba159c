"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's
live server (real Postgres, transactional database).

Fixtures:
- `browser`: one headless Chromium for the whole tests/e2e package.
- `open_page(language="en", javascript=True, viewport=DESKTOP)`: a new, guarded page whose
  browser asks for `language` (Accept-Language). `page` is `open_page()`.
- `log_in(page, member)`: logs in through the real login form and lands on the dashboard.
- `screenshots`: the folder of this test's screenshots (var/screenshots/<test>/).

Every page is guarded (see `Guard`): a console error, an uncaught script error, a request
to any host but the live server, or a failed response for a sub-resource fails the test
at teardown. `guard.step(page, "name")` saves a screenshot and the HTML; a failing test
saves both for each open page as `failure-*`.

Mark modules with `pytestmark = pytest.mark.e2e`.
"""

import contextlib
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
# The rules axe checks: WCAG 2.0-2.2 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@dataclass
class Guard:
    """Collects what must never happen on a page of ours."""

    origin: str
    folder: Path
    problems: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    steps: int = 0

    def watch(self, context: BrowserContext, page: Page) -> None:
        self.pages.append(page)
        self.contexts.append(context)
        context.route("**/*", self._only_own_host)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("response", self._on_response)

    def _only_own_host(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _on_response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")

    def step(self, page: Page, name: str) -> Path:
        """Save a screenshot and the HTML of `page` as the next numbered step."""
        self.steps += 1
        stem = self.folder / f"{self.steps:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}"
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{stem}.png", full_page=True)
        stem.with_suffix(".html").write_text(page.content(), encoding="utf-8")
        return stem.with_suffix(".png")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the package. Playwright's synchronous API keeps an event loop
    running in this thread, so Django's guard against ORM calls from async code is lifted
    for exactly as long as Playwright runs (the test code is synchronous)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-tools` installs Debian's chromium")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def screenshots(request) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = SCREENSHOTS / request.node.module.__name__.rsplit(".", 1)[-1] / name
    shutil.rmtree(folder, ignore_errors=True)
    return folder


@pytest.fixture
def guard(live_server, screenshots, request):
    """The test's Guard; fails the test at teardown if anything was collected."""
    # allauth's rate limits live in the cache table, which no test transaction resets.
    cache.clear()
    watcher = Guard(origin=live_server.url, folder=screenshots)
    yield watcher
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if (report is not None and report.failed) or watcher.problems:
        for number, page in enumerate(watcher.pages):
            with contextlib.suppress(PlaywrightError):  # a page the test closed
                watcher.step(page, f"failure-{number}")
    for context in watcher.contexts:
        context.close()
    assert watcher.problems == [], "\n".join(watcher.problems)


@pytest.fixture
def open_page(browser: Browser, guard: Guard, live_server):
    """open_page(language, javascript=, viewport=) -> a new guarded page in its own
    browser context (cookies are not shared). The guard closes it after the test."""

    def opener(
        language: str = "en", *, javascript: bool = True, viewport: dict | None = None
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale=language,
            extra_http_headers={"Accept-Language": language},
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,
        )
        # A local server answers in well under a second: a step still waiting after ten
        # has failed, and the test should say so without sitting out Playwright's 30 s.
        context.set_default_timeout(10_000)
        new_page = context.new_page()
        guard.watch(context, new_page)
        return new_page

    return opener


@pytest.fixture
def page(open_page) -> Page:
    return open_page()


@pytest.fixture
def log_in(guard: Guard):
    """log_in(page, member): through the real login form, as a person would."""

    def do_log_in(page: Page, member, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        form = page.locator("form:has(input[name='login'])")
        form.locator("input[name='login']").fill(member.user.email)
        form.locator("input[name='password']").fill(password)
        form.locator("button[type='submit']").click()
        page.wait_for_url(re.compile(r"/dashboard/|/2fa/authenticate/"))
        if "/2fa/authenticate" in page.url:
            # Staff are asked for their second factor, as in real use.
            code_form = page.locator("form:has(input[name='code'])")
            code_form.locator("input[name='code']").fill(current_totp_code(member.user))
            code_form.locator("button[type='submit']").first.click()
            page.wait_for_load_state()
            if "/2fa/authenticate" in page.url:
                # The server checked the code in the next 30-second window (a loaded
                # machine): a person would type the new one.
                code_form.locator("input[name='code']").fill(current_totp_code(member.user))
                code_form.locator("button[type='submit']").first.click()
        page.wait_for_url("**/dashboard/")
        return page

    return do_log_in


def current_totp_code(user) -> str:
    """The code the user's authenticator app would show now (its secret is stored
    encrypted; the MFA adapter decrypts it)."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return totp_code(get_adapter().decrypt(authenticator.data["secret"]))


def totp_code(secret: str) -> str:
    """What an authenticator app holding `secret` shows now. allauth accepts only the
    current 30-second window, so near its end this waits for the next one rather than
    hand over a code that may expire before the server reads it."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = 30 - time.time() % 30
    if left < 4:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def axe_violations(page: Page) -> list[str]:
    """Run axe-core in `page`; one readable line per violating element.

    axe is evaluated through the DevTools protocol, which the page's Content Security
    Policy does not apply to, so the CSP stays on and guards the app's own scripts."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: `make test-tools` runs npm ci"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations;
        }""",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{' '.join(node['target'])}: {node.get('failureSummary', '').strip()}"
        for violation in results
        for node in violation["nodes"]
    ]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it reflows)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def say(language: str, message: str, **values) -> str:
    """`message` as a person reading `language` sees it: our own catalogue's translation
    (the English while a string is still untranslated, as the page shows it too)."""
    from django.utils import translation

    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


def say_count(language: str, singular: str, plural: str, count: int) -> str:
    """A plural message (ngettext) as a person reading `language` sees it for `count`."""
    from django.utils import translation

    with translation.override(language):
        text = translation.ngettext(singular, plural, count)
    return text % {"count": count}


def label(language: str, message: str) -> re.Pattern:
    """A form field's label as shown: the translation, with or without Django's colon."""
    return re.compile(rf"^\s*{re.escape(say(language, message))}:?\s*$")


def check_page(page: Page, guard: Guard, name: str, *, axe: bool = False) -> None:
    """One step of a journey: a screenshot and the HTML, the page reflows in its window
    (no horizontal scrolling), and with `axe` zero axe-core violations."""
    guard.step(page, name)
    assert horizontal_overflow(page) == 0, f"{name}: wider than the window"
    if axe:
        violations = axe_violations(page)
        assert violations == [], f"{name}:\n" + "\n".join(violations)


_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report
