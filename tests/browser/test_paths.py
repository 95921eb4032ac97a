"""The other paths in a real browser: the LLM (respx-mocked endpoint, in-process), an ambiguous OpenAlex name
(mocked), and the store → shortlist → batch → review pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import respx
from playwright.sync_api import expect

from assistant.cv import read_cv
from assistant.settings import Settings
from tests.browser.conftest import LiveServer, shoot
from tests.browser.test_journey import MIRZA, upload_cv
from tests.conftest import EXAMPLES
from tests.openai_mock import CHAT_URL, ResponseQueue, sse, structured
from tests.test_draft import faithful_draft
from tests.web_support import mocked_openalex

MAYA = EXAMPLES / "cvs" / "maya_chen.md"


def test_the_llm_path_streams_an_answer_and_drafts(page: Any, sample_store: Path, llm_settings: Settings) -> None:
    chunks = ["XMAS removes redundancy ", "in LVLM training ", "data [1]. It is ", "a data selection method [1]."]
    good = faithful_draft(llm_settings, read_cv(MAYA))
    with respx.mock, LiveServer(llm_settings) as server:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(sse(chunks), structured(good)))
        page.goto(f"{server.url}/professors/{MIRZA}")
        page.get_by_label("Question").fill("What has she published on data selection?")
        page.get_by_role("button", name="Ask").click()
        expect(page.locator("#answer a.marker").first).to_have_text("[1]")
        expect(page.locator("#answer .text")).to_contain_text("XMAS removes redundancy in LVLM training data")

        upload_cv(page, server, MAYA)
        page.goto(f"{server.url}/draft/{MIRZA}")
        expect(page.get_by_label("Offline drafter (no LLM)")).not_to_be_checked()
        page.get_by_role("button", name="Generate draft").click()
        expect(page.locator("#check .verdict")).to_have_text("Guardrails: PASSED")
        expect(page.locator(".editor")).to_contain_text("Made by: llm (gpt-4o-mini)")
        expect(page.locator("textarea[name=body]")).to_have_value(good.body)


def test_an_ambiguous_openalex_name_is_picked_from_its_candidates(
    page: Any, server: LiveServer, screenshots: Path
) -> None:
    chosen = "A5009876543"
    with mocked_openalex("J. Smith", chosen):
        page.goto(f"{server.url}/store")
        page.get_by_label("Author").fill("J. Smith")
        page.get_by_role("button", name="Look up and ingest").click()
        expect(page.locator(".candidates li")).to_have_count(3)
        expect(page.locator("#ingest-result")).to_contain_text("Monash University")
        shoot(page, screenshots, "store-candidates")
        page.get_by_role("button", name=f"Ingest {chosen}").click()
        expect(page.locator("#ingest-result")).to_contain_text(f"Ingested openalex:{chosen}")
        expect(page.locator("#professors")).to_contain_text("J. Smith")


def test_store_shortlist_batch_and_review(page: Any, server: LiveServer, screenshots: Path) -> None:
    page.goto(f"{server.url}/store")
    page.set_input_files("input[name=file]", str(EXAMPLES / "daily_papers_listing.txt"))
    page.get_by_label("Collection").fill("daily papers")
    page.get_by_role("button", name="Ingest", exact=True).click()
    expect(page.locator("#ingest-result")).to_contain_text("39 new")
    expect(page.locator("#professors")).to_contain_text("daily papers")
    shoot(page, screenshots, "store")

    upload_cv(page, server, MAYA)
    page.get_by_role("link", name="Match", exact=True).click()
    for added in (1, 2):
        page.get_by_role("button", name="Add to shortlist").first.click()
        expect(page.locator("#match-rows .tag.ok")).to_have_count(added)

    page.get_by_role("link", name="Shortlist").click()
    status = page.get_by_label("status of Meisam Razaviyayn")
    status.select_option("drafted")  # still drafted by the batch (sent and replied are not)
    expect(page.locator("#updated-meisam-razaviyayn")).to_contain_text("saved: drafted")
    with page.expect_response(lambda r: r.url.endswith("/shortlist/meisam-razaviyayn") and r.ok):
        page.get_by_label("note on Meisam Razaviyayn").fill("replied to my first email in March")
    page.reload()
    expect(page.get_by_label("note on Meisam Razaviyayn")).to_have_value("replied to my first email in March")
    shoot(page, screenshots, "shortlist")

    page.get_by_role("link", name="Batch").click()
    page.get_by_role("button", name="Start batch").click()
    expect(page.locator(".items-progress li")).to_have_count(2)
    expect(page.locator(".batch-progress")).to_contain_text("2 of 2 finished")
    expect(page.locator(".items-progress li.done")).to_have_count(2)
    shoot(page, screenshots, "batch")
    page.get_by_role("link", name=re.compile("Review every draft")).click()
    expect(page.locator("body")).to_contain_text("Baharan Mirzasoleiman")
    expect(page.locator("body")).to_contain_text("Meisam Razaviyayn")
