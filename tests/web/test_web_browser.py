"""The archive in a real Chromium (Playwright) through the real server; screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web_support import ARTIFACTS, HOSTILE_TEXT, LiveServer

from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.dialogs = dialogs
    tab.console_errors = errors
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def doc_id(archive: Archive, key: str) -> str:
    with archive.engine.connect() as conn:
        located = locate_document(conn, key)
    assert located is not None
    return located.document_id


def test_home_then_dataset_then_document(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    assert page.get_by_role("searchbox", name="Search query").is_visible()
    shot(page, "home")
    page.get_by_role("link", name="dataset_9", exact=True).first.click()
    page.wait_for_url("**/datasets/dataset_9")
    shot(page, "dataset")
    page.get_by_role("link", name="EFTA01197902.pdf").click()
    assert page.locator("h1").inner_text() == "EFTA01197902.pdf"
    assert page.locator("#page-6 .bates").inner_text() == "EFTA01197907"
    shot(page, "document")
    page.go_back()
    page.wait_for_url("**/datasets/dataset_9")
    assert page.console_errors == []


def test_bates_link_scrolls_to_the_page(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/bates/EFTA01197905")
    assert page.url.endswith("#page-4")
    page_box = page.locator("#page-4").bounding_box()
    assert page_box is not None and abs(page_box["y"]) < 100  # scrolled to the top of the view


def test_hostile_text_renders_as_text(page: Any, server: LiveServer, sample_archive: Archive) -> None:
    page.goto(f"{server.url}/documents/{doc_id(sample_archive, 'fixtures/EFTA09000001.pdf')}")
    text = page.locator("#page-1 .page-text").inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text
    assert HOSTILE_TEXT.split("<")[0].strip() in text
    page.wait_for_timeout(200)
    assert page.dialogs == []
    assert page.locator("#page-1 script, #page-1 img").count() == 0
    shot(page, "hostile")


def test_search_within_document_and_side_by_side(
    page: Any, server: LiveServer, sample_archive: Archive
) -> None:
    seed = doc_id(sample_archive, "dataset_9/EFTA01197902.pdf")
    page.goto(f"{server.url}/documents/{seed}")
    page.get_by_label("Search in this document").fill("Hoenlein")
    page.get_by_label("Search in this document").press("Enter")
    page.wait_for_url("**q=Hoenlein**")
    hits = page.locator("mark.hit")
    assert hits.count() >= 3
    assert "Hoenlein" in page.locator(".hit-summary").inner_text()
    with page.expect_response(lambda r: r.url.endswith("/pages/1.png")) as response:
        page.get_by_role("link", name="Side by side").click()
        page.wait_for_url("**view=both**")
    image = page.locator("#page-1 .page-image img")
    assert response.value.ok and response.value.headers["content-type"] == "image/png"
    page.wait_for_load_state("networkidle")
    assert image.evaluate("img => img.naturalWidth") > 0
    shot(page, "document-side-by-side")


def test_keyboard_reaches_search_box(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/status")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")  # brand link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("Harpaz")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Harpaz**")
    first_result = page.locator(".hit-title a").first
    for _ in range(40):  # Tab on until the first result link has the focus
        page.keyboard.press("Tab")
        if first_result.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the first search result cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/**")
    assert page.locator("mark.hit").count() >= 1


def test_search_document_entity_and_back(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.get_by_role("searchbox", name="Search query").fill('"defense minister"')
    page.get_by_role("searchbox", name="Search query").press("Enter")
    page.wait_for_url("**/search?q=**")
    assert page.locator(".hit-item").count() >= 1
    assert page.locator(".hit-item mark.hit").count() >= 1
    shot(page, "search")
    results_url = page.url
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/documents/**")
    assert page.locator("mark.hit").count() >= 1
    # The e-mail panel and the entities panel of the seed-like printed e-mail.
    email = page.locator("section.email")
    assert "JNS News" in email.inner_text() and "jeevacation@gmail.com" in email.inner_text()
    people = page.locator(".entities h3", has_text="People")
    assert people.count() == 1
    person = page.locator(".entities a.ent-name.ent-person").first
    name = person.inner_text()
    person.click()
    page.wait_for_url("**/entities/**")
    assert name in page.locator("h1").inner_text()
    assert page.locator(".mentions li").count() >= 1
    shot(page, "entity")
    page.go_back()
    page.wait_for_url("**/documents/**")
    page.go_back()
    assert page.url == results_url
    assert page.console_errors == []


def test_entity_panel_jumps_to_the_mention(page: Any, server: LiveServer, sample_archive: Archive) -> None:
    page.goto(f"{server.url}/documents/{doc_id(sample_archive, 'dataset_9/EFTA01197902.pdf')}")
    jump = page.locator(".entities a.jump").first
    target = jump.get_attribute("href")
    assert target is not None and target.startswith("#m-")
    jump.click()
    assert page.url.endswith(target)
    box = page.locator(target).bounding_box()
    assert box is not None and 0 <= box["y"] < 900


def test_network_graph_draws_and_links(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/entities")
    page.locator("td a").first.click()
    page.wait_for_url("**/entities/**")
    page.get_by_role("link", name="Show as a network").click()
    page.wait_for_url("**/network?entity=**")
    page.wait_for_selector("#graph[data-rendered]")
    assert int(page.locator("#graph").get_attribute("data-rendered") or 0) >= 2
    assert page.locator("#graph canvas").count() >= 1
    shot(page, "network")
    assert page.console_errors == []
