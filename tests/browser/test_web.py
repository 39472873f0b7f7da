"""The web pages in a real browser: Debian's Chromium driven by Playwright against the real server.

The whole checker flow runs with every request outside the app's origin aborted (and none may be
attempted), on the knee pack and on the HPO sample pack, at desktop and phone width; axe-core
checks both pages for serious or critical accessibility violations, and no text on either page
may read "null", "undefined" or "NaN". Without Chromium the test is skipped, except under
CI=true, where it fails.
Set UPDATE_SCREENSHOTS=1 to rewrite docs/screenshots/*.png (desktop 1280x800, phone 390x844).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.servers import Server, free_port, project_command, running
from tests.paths import REPO

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FIRST_PAGE_BUDGET = 200_000  # bytes over the wire for "/" and what it loads on its own

pytestmark = pytest.mark.slow

if not CHROMIUM.exists() or not AXE.exists():
    missing = "Chromium at /usr/bin/chromium" if not CHROMIUM.exists() else "node_modules/axe-core"
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"browser test: {missing} is missing (CI=true requires it)")
    pytest.skip(f"browser test skipped: {missing} is missing", allow_module_level=True)

from playwright.sync_api import BrowserContext, Page, Route, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    port = free_port()
    with running(project_command(port), port) as live:
        yield live


@pytest.fixture(scope="module")
def hpo_server() -> Iterator[Server]:
    """The HPO sample pack alone: a pack written for clinicians, with no knee in it."""
    port = free_port()
    with running([*project_command(port), "--pack", "hpo-sample"], port) as live:
        yield live


class Browser:
    """A fresh Chromium profile whose requests may only go to the app."""

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.context = context
        self.origin = origin
        self.blocked: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/") or url == self.origin:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def page(self, viewport: dict[str, int]) -> Page:
        page = self.context.new_page()
        page.set_viewport_size(viewport)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page


@contextmanager
def chromium(origin: str, profile: Path) -> Iterator[Browser]:
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            service_workers="block",
        )
        try:
            yield Browser(context, origin)
        finally:
            context.close()


@pytest.fixture
def browser(server: Server, tmp_path: Path) -> Iterator[Browser]:
    with chromium(server.url, tmp_path / "profile") as live:
        yield live


@pytest.fixture
def hpo_browser(hpo_server: Server, tmp_path: Path) -> Iterator[Browser]:
    with chromium(hpo_server.url, tmp_path / "profile") as live:
        yield live


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # add_script_tag(path=...) would insert an inline script, which the page's CSP (rightly)
    # refuses; evaluating the file through the DevTools protocol is not subject to the CSP.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate("() => axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# Text (and labels) a script printed from a missing value: "nullnull" counts too.
STRAY_TEXT = """() => {
  const stray = /null|undefined|NaN/;
  const found = [];
  const walk = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) if (stray.test(walk.currentNode.textContent)) found.push(walk.currentNode.textContent);
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], [value]"))
    for (const name of ["aria-label", "placeholder", "title", "value"])
      if (stray.test(el.getAttribute(name) ?? "")) found.push(`${name}=${el.getAttribute(name)}`);
  return found;
}"""


def stray_text(page: Page) -> list[str]:
    found: list[str] = page.evaluate(STRAY_TEXT)
    return found


def diagnose_bodies(page: Page) -> list[Any]:
    """The body of every `POST /v1/diagnose` the page sends from now on."""
    sent: list[Any] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data_json) if r.url.endswith("/v1/diagnose") else None,
    )
    return sent


def open_every_evidence_panel(page: Page) -> None:
    causes = page.locator("ol.causes > li")
    for i in range(causes.count()):
        causes.nth(i).get_by_role("button", name="Show the evidence").click()
        causes.nth(i).locator(".evidence h4").first.wait_for()


def shoot(page: Page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_checker_flow_offline_and_accessible(browser: Browser, server: Server) -> None:
    page = browser.page(DESKTOP)
    loaded: list[int] = []
    page.on("response", lambda r: loaded.append(len(r.body())) if r.ok else None)
    page.goto(server.url + "/", wait_until="networkidle")
    assert sum(loaded) < FIRST_PAGE_BUDGET, sum(loaded)
    page.get_by_role("note").or_(page.locator("#disclaimer")).first.wait_for()
    assert "Not a diagnosis" in page.inner_text("#disclaimer")
    # The pack's own wording, from its manifest.
    assert page.inner_text("h1") == "Knee symptom checker"
    assert page.get_by_label("What do you notice?").get_attribute("placeholder") == (
        "e.g. my knee keeps twitching after running, no swelling"
    )

    # Free text -> chips.
    page.get_by_label("What do you notice?").fill(
        "my knee keeps twitching after running, no swelling"
    )
    page.get_by_role("button", name="Read my description").click()
    chips = page.locator("#chips li")
    chips.nth(2).wait_for()
    assert [chips.nth(i).get_attribute("data-id") for i in range(chips.count())] == [
        "symptom:visible-twitching",
        "cause:overuse",
        "symptom:swelling",
    ]
    assert "absent" in (chips.nth(2).get_attribute("class") or "")

    # Ranked causes with probability bars.
    causes = page.locator("ol.causes > li")
    causes.first.wait_for()
    assert causes.count() >= 3
    assert page.locator(".bar-fill").count() == causes.count()
    assert "Muscle fatigue" in causes.first.inner_text()
    shoot(page, "checker-desktop")

    # Answer the next question: the answer becomes a chip and the ranking is asked again.
    question = page.locator(".question .ask").inner_text()
    assert question.endswith("?")
    page.get_by_role("button", name="Yes", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#chips li').length === 4")
    page.wait_for_function(
        "q => document.querySelector('.question h2') && "
        "(document.querySelector('.question .ask')?.textContent ?? '') !== q",
        arg=question,
    )

    # A chip flips between yes and no, from the keyboard.
    toggle = chips.nth(0).locator(".chip-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#chips li').classList.contains('absent')")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#chips li').classList.contains('present')"
    )

    # Typeahead from /v1/search, keyboard only.
    search = page.get_by_role("combobox", name="Add a symptom or exposure")
    search.fill("cramp")
    page.locator("#search-list [role=option]").first.wait_for()
    search.press("ArrowDown")
    search.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#chips li').length === 5")

    # A cause's evidence: verbatim excerpts, fetched with explain: true.
    first = causes.first
    first.get_by_role("button", name="Show the evidence").click()
    first.locator(".evidence blockquote").first.wait_for()
    assert len(first.locator(".evidence blockquote").first.inner_text()) > 20
    first.get_by_role("button", name="Show the evidence").click()  # closed again
    open_every_evidence_panel(page)
    assert stray_text(page) == []
    assert axe_violations(page) == []

    # Phone width: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#results").scroll_into_view_if_needed()
    shoot(page, "checker-phone")

    # Open the top cause's node page in the explorer.
    page.set_viewport_size(DESKTOP)
    name = first.locator("h3 a").inner_text()
    first.locator("h3 a").click()
    page.wait_for_function("n => document.querySelector('#view h1')?.textContent === n", arg=name)
    assert page.locator("#view svg a").count() >= 3
    assert page.locator("#view blockquote").count() >= 1
    assert stray_text(page) == []
    assert axe_violations(page) == []
    assert browser.blocked == []
    assert browser.errors == []


def test_explorer_pages(browser: Browser, server: Server) -> None:
    page = browser.page(DESKTOP)
    page.goto(server.url + "/explorer#node=cause:dehydration", wait_until="networkidle")
    page.wait_for_function(
        "() => document.querySelector('#view h1')?.textContent === 'Dehydration'"
    )
    text = page.inner_text("#view")
    for expected in ("dehydrated", "E86.0", "causes", "Knee spasms can result"):
        assert expected in text
    shoot(page, "explorer-desktop")
    # Keyboard: a neighbour in the graph is a link.
    link = page.locator("#view svg a").first
    target = link.get_attribute("data-name") or ""
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("t => document.querySelector('#view h1')?.textContent === t", arg=target)

    page.set_viewport_size(PHONE)
    page.goto(server.url + "/explorer#node=symptom:visible-twitching")
    page.wait_for_function(
        "() => document.querySelector('#view h1')?.textContent === "
        "'Visible twitching around the knee'"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "explorer-phone")

    # Every inferred edge, each with its reasoning.
    page.set_viewport_size(DESKTOP)
    page.goto(server.url + "/explorer#inferred")
    page.locator("#view table tbody tr").first.wait_for()
    rows = page.locator("#view table tbody tr")
    assert rows.count() >= 1
    assert all(rows.nth(i).locator(".badge.inferred").count() == 1 for i in range(rows.count()))
    # Edge ends are named, not left as ids.
    assert ":" not in rows.first.locator(".edge-line a").first.inner_text()
    assert axe_violations(page) == []
    assert browser.blocked == []
    assert browser.errors == []


def test_chromium_is_the_systems() -> None:
    # The test never downloads a browser: it drives the one Debian installed.
    assert shutil.which("chromium") == str(CHROMIUM)


def test_checker_keeps_hedged_and_family_mentions_out_of_the_query(
    browser: Browser, server: Server
) -> None:
    page = browser.page(DESKTOP)
    sent = diagnose_bodies(page)
    page.goto(server.url + "/", wait_until="networkidle")
    page.get_by_label("What do you notice?").fill(
        "My knee twitches. Maybe some swelling. My mother has MS."
    )
    page.get_by_role("button", name="Read my description").click()
    chips = page.locator("#chips li")
    chips.nth(1).wait_for()
    assert [chips.nth(i).get_attribute("data-id") for i in range(chips.count())] == [
        "symptom:visible-twitching",
        "symptom:swelling",
    ]
    assert "uncertain" in (chips.nth(1).get_attribute("class") or "")
    assert chips.nth(1).locator(".chip-toggle").inner_text() == "unsure"
    assert "In the family, not counted: Multiple sclerosis" in page.inner_text("#parse-status")
    page.locator("ol.causes > li").first.wait_for()
    assert sent
    assert all(
        "symptom:swelling" not in q["present"] + q["absent"]
        and "cause:multiple-sclerosis" not in q["exposures"]
        for q in sent
    )
    # An unsure chip answered yes joins the query.
    with page.expect_request(lambda r: r.url.endswith("/v1/diagnose")) as request:
        chips.nth(1).locator(".chip-toggle").click()
    assert "symptom:swelling" in request.value.post_data_json["present"]
    assert "present" in (chips.nth(1).get_attribute("class") or "")
    assert browser.blocked == []
    assert browser.errors == []


NOTES = {
    "knee": "my knee keeps twitching after running, no swelling",
    "hpo-sample": "A 3-year-old boy with muscle weakness, tongue fasciculations and hand tremor. "
    "No seizures. Possible skeletal muscle atrophy.",
}


@pytest.mark.parametrize("pack", ["knee", "hpo-sample"])
def test_on_a_phone_the_ranking_is_brought_into_view(
    request: pytest.FixtureRequest, pack: str
) -> None:
    live: Server = request.getfixturevalue("server" if pack == "knee" else "hpo_server")
    browser: Browser = request.getfixturevalue("browser" if pack == "knee" else "hpo_browser")
    page = browser.page(PHONE)
    page.goto(live.url + "/", wait_until="networkidle")
    page.locator("#text").fill(NOTES[pack])
    page.locator("#read").click()
    page.locator("ol.causes > li").first.wait_for()
    # The results' heading has the focus and sits in the viewport, not two screens below.
    page.wait_for_function("() => document.activeElement?.id === 'results-title'")
    top = page.evaluate("document.getElementById('results-title').getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 2, top
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    open_every_evidence_panel(page)
    assert stray_text(page) == []
    assert axe_violations(page) == []
    assert browser.blocked == []
    assert browser.errors == []


def test_a_clinical_note_on_the_hpo_pack(hpo_browser: Browser, hpo_server: Server) -> None:
    browser = hpo_browser
    page = browser.page(DESKTOP)
    sent = diagnose_bodies(page)
    page.goto(hpo_server.url + "/", wait_until="networkidle")
    page.wait_for_function("() => document.querySelector('h1').textContent.includes('HPO')")
    # Nothing of the knee pack's wording is left on a page serving only HPO.
    words = page.inner_text("body").lower() + " ".join(
        page.locator(f"#{field}").get_attribute("placeholder") or "" for field in ("text", "search")
    )
    for knee_word in ("knee", "article", "twitch"):
        assert knee_word not in words.lower()

    page.get_by_label("Clinical note").fill(NOTES["hpo-sample"])
    page.get_by_role("button", name="Read the note").click()
    chips = page.locator("#chips li")
    chips.nth(4).wait_for()
    found = [
        (chips.nth(i).get_attribute("data-id"), chips.nth(i).locator(".chip-toggle").inner_text())
        for i in range(chips.count())
    ]
    assert found == [
        ("symptom:hp-0001324", "present"),
        ("symptom:hp-0001308", "present"),
        ("symptom:hp-0002378", "present"),
        ("symptom:hp-0001250", "absent"),
        ("symptom:hp-0003202", "unsure"),
    ]
    causes = page.locator("ol.causes > li")
    causes.first.wait_for()
    assert page.inner_text("#causes-title") == "Possible diseases"
    assert causes.first.locator("h3 a").inner_text() == "Spinal muscular atrophy, type II"

    # A chip flips from absent to present, and another is removed: each asks for a new ranking.
    with page.expect_request(lambda r: r.url.endswith("/v1/diagnose")) as flipped:
        page.get_by_role("button", name="Seizure: absent. Switch to present").click()
    assert "symptom:hp-0001250" in flipped.value.post_data_json["present"]
    with page.expect_request(lambda r: r.url.endswith("/v1/diagnose")) as removed:
        page.get_by_role("button", name="Remove Hand tremor").click()
    assert "symptom:hp-0002378" not in removed.value.post_data_json["present"]
    assert chips.count() == 4

    # The next phenotype to check is named, and answered present or absent.
    assert page.inner_text(".question h2") == "Next phenotype to check"
    asked = page.locator(".question .ask").inner_text()
    page.locator(".question").get_by_role("button", name="Present", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#chips li').length === 5")
    assert chips.nth(4).locator(".chip-name").inner_text() == asked
    assert all(q.get("pack") == "hpo-sample" for q in sent)

    # Evidence from a database: the record it cites, never an empty quote or a null.
    causes.first.wait_for()
    open_every_evidence_panel(page)
    evidence = causes.first.locator(".evidence").inner_text()
    assert "Cites OMIM:" in evidence
    # Nodes a chain passes through (up the phenotype hierarchy) are named, not left as ids.
    assert "symptom:hp-" not in page.inner_text("#results")
    assert "0.0%" not in page.inner_text("#results")
    assert stray_text(page) == []
    assert axe_violations(page) == []
    shoot(page, "checker-hpo-desktop")

    # The explorer starts from one of this pack's own nodes.
    page.goto(hpo_server.url + "/explorer", wait_until="networkidle")
    start = page.locator("#view p a").first
    start.wait_for()
    name = start.inner_text()
    start.click()
    page.wait_for_function("n => document.querySelector('#view h1')?.textContent === n", arg=name)
    assert "No node with id" not in page.inner_text("#view")
    assert stray_text(page) == []
    assert axe_violations(page) == []
    assert browser.blocked == []
    assert browser.errors == []


def test_several_packs_offer_a_choice_and_each_request_names_it(tmp_path: Path) -> None:
    port = free_port()
    command = [*project_command(port), "--pack", "knee", "--pack", "hpo-sample"]
    with running(command, port) as live, chromium(live.url, tmp_path / "profile") as browser:
        page = browser.page(DESKTOP)
        page.goto(live.url + "/", wait_until="networkidle")
        assert page.inner_text("h1") == "Knee symptom checker"
        page.get_by_label("Content").select_option("hpo-sample")
        assert page.inner_text("h1") == "Phenotype-driven differential (HPO)"
        page.get_by_label("Clinical note").fill(NOTES["hpo-sample"])
        with page.expect_request(lambda r: r.url.endswith("/v1/parse")) as parsed:
            page.get_by_role("button", name="Read the note").click()
        assert parsed.value.post_data_json["pack"] == "hpo-sample"
        first = page.locator("ol.causes > li").first
        first.wait_for()
        assert first.locator("h3 a").inner_text() == "Spinal muscular atrophy, type II"
        assert stray_text(page) == []
        assert axe_violations(page) == []
        assert browser.blocked == []
        assert browser.errors == []
