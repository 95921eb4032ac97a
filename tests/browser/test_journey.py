"""The whole journey in a real browser, offline, on the sample data: CV → match → professor → ask → draft →
an invented title flagged on its span → removed → PASSED → .eml exported; then the shortlist and its batch."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, shoot
from tests.conftest import EXAMPLES

MIRZA = "baharan-mirzasoleiman"
INVENTED = "Gradient Surgery for Federated Coreset Transformers"


def upload_cv(page: Any, server: LiveServer, path: Path) -> None:
    page.goto(f"{server.url}/cv")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Read CV").click()
    expect(page.locator("#cv h2")).to_have_text(f"What was understood from {path.name}")


def test_cv_to_exported_email(page: Any, server: LiveServer, screenshots: Path, tmp_path: Path) -> None:
    upload_cv(page, server, EXAMPLES / "cvs" / "maya_chen.md")
    cv = page.locator("#cv")
    expect(cv.locator("h3", has_text="Interests")).to_be_visible()
    expect(cv.locator("q").first).to_be_visible()  # every item shows the CV text it came from
    shoot(page, screenshots, "cv")

    page.get_by_role("link", name="Match", exact=True).click()
    first = page.locator("#match-rows tbody tr").first
    expect(first).to_contain_text("Baharan Mirzasoleiman")
    expect(first.locator("meter")).to_have_count(3)  # topic, method, recency
    expect(first.locator("ol.evidence mark").first).to_be_visible()  # shared terms highlighted
    page.get_by_label("Filter").fill("Razaviyayn")
    expect(page.locator("#match-rows tbody tr")).to_have_count(1)
    expect(page.locator("#match-rows tbody tr")).to_contain_text("Meisam Razaviyayn")
    page.get_by_label("Filter").fill("")
    expect(page.locator("#match-rows tbody tr")).to_have_count(2)
    shoot(page, screenshots, "match")

    first.get_by_role("link", name="Baharan Mirzasoleiman").click()
    expect(page.locator("h1")).to_have_text("Baharan Mirzasoleiman")
    page.get_by_label("Question").fill("What has she published on data selection?")
    page.get_by_role("button", name="Ask").click()
    marker = page.locator("#answer a.marker").first
    expect(marker).to_have_text(re.compile(r"\[\d+\]"))
    target = marker.get_attribute("href")
    assert target and target.startswith("#paper-")
    expect(page.locator(target)).to_have_count(1)  # the marker links to that paper in the list below
    expect(page.locator("#answer .refs li").first).to_be_visible()
    shoot(page, screenshots, "professor")

    page.get_by_role("link", name="Draft an email").click()
    page.get_by_role("button", name="Generate draft").click()
    verdict = page.locator("#check .verdict")
    expect(verdict).to_have_text("Guardrails: PASSED")
    body = page.locator("textarea[name=body]")
    original = body.input_value()
    assert original.startswith("Dear Professor Mirzasoleiman")

    body.press("End")
    body.press("Control+End")
    body.press_sequentially(f"\n\nI also enjoyed your paper \u201c{INVENTED}\u201d.")
    expect(verdict).to_have_text("Guardrails: NEEDS REVIEW")
    flagged = page.locator("#check mark.hard")
    expect(flagged).to_contain_text(INVENTED)
    expect(page.locator("#check .violations li.hard")).to_contain_text("titles")
    shoot(page, screenshots, "draft-flagged")

    body.fill(original)
    expect(verdict).to_have_text("Guardrails: PASSED")
    expect(page.locator("#check mark.hard")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export .eml").click()
    saved = tmp_path / "draft.eml"
    download.value.save_as(saved)
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message["X-Outreach-Guardrails"] == "passed"
    assert message["From"] == "maya.chen@example.edu"
    assert message["Subject"].strip() == page.locator("input[name=subject]").input_value()
    assert message.get_content().strip() == original.strip()

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied ✓")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"Subject: {message['Subject'].strip()}\n\n{original}"

    page.get_by_role("button", name="Mark drafted on the shortlist").click()
    expect(page.locator("#marked")).to_contain_text("drafted")
    page.get_by_role("link", name="Shortlist").click()
    expect(page.get_by_label("status of Baharan Mirzasoleiman")).to_have_value("drafted")
