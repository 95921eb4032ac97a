"""The web app's pages through Starlette's test client, over the real library, store and embedding model."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
from starlette.testclient import TestClient

from assistant.cv import read_cv
from assistant.embeddings import embedder_id
from assistant.embeddings_memo import all_saved, memo_path
from assistant.errors import InputError
from assistant.ingest import ingest_professors
from assistant.settings import Settings
from assistant.types import Paper, Professor
from tests.conftest import EXAMPLES, FIXTURES
from tests.openai_mock import CHAT_URL, ResponseQueue, structured
from tests.test_cv_refine import REFINED, UNUSUAL
from tests.web_support import client_for, final, job_events, make_app

MIRZA = "baharan-mirzasoleiman"
RAZA = "meisam-razaviyayn"
MAYA = EXAMPLES / "cvs" / "maya_chen.md"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def client(sample_store: Path) -> Iterator[TestClient]:
    with client_for(make_app()) as c:
        yield c


def upload_cv(client: TestClient, path: Path = MAYA, name: str | None = None, **form: str) -> str:
    response = client.post("/cv", files={"file": (name or path.name, path.read_bytes())}, data=form)
    assert response.status_code == 200, response.text
    return response.text


def test_every_page_renders_before_any_cv(client: TestClient) -> None:
    for url in ("/", "/store", "/cv", "/match", "/shortlist", "/batch", f"/professors/{MIRZA}", f"/draft/{MIRZA}"):
        response = client.get(url)
        assert response.status_code == 200, url
    store = client.get("/store").text
    assert "Baharan Mirzasoleiman" in store and "Meisam Razaviyayn" in store
    assert "Upload your CV first" in client.get("/match").text


def test_an_unknown_professor_is_a_404_with_the_librarys_message(client: TestClient) -> None:
    response = client.get("/professors/nobody-at-all", headers={"hx-request": ""})
    assert response.status_code == 404
    assert "no professor named" in response.text and "<nav>" in response.text  # a whole page, with the menu


def test_the_cv_page_shows_every_item_with_the_text_it_came_from(client: TestClient) -> None:
    page = upload_cv(client)
    profile = read_cv(MAYA)
    assert "What was understood from maya_chen.md" in page and "Held in memory only" in page
    for item in profile.all_items():
        assert html.escape(item.text, quote=False) in page or html.escape(item.text) in page
        assert html.escape(item.source_text) in page


def test_the_cv_page_lists_what_llm_refinement_dropped_and_why(sample_store: Path, llm_settings: Settings) -> None:
    refining = llm_settings.model_copy(update={"cv_extraction": "auto"})
    with client_for(make_app(refining)) as client, respx.mock:
        respx.post(CHAT_URL).mock(side_effect=ResponseQueue(structured(REFINED)))
        page = upload_cv(client, UNUSUAL)
        assert "read by offline + gpt-4o-mini" in page and "3 dropped because the CV does not back them" in page
        assert "Robust Federated Learning — <em>its quote is not in the CV</em>" in page
        assert "robust optimization for federated learning" in page
        offline = upload_cv(client, UNUSUAL, offline="1")  # the box that keeps the CV away from the LLM
        assert "read by offline" in offline and "LLM refinement" not in offline


@pytest.mark.parametrize("name", ["empty.md", "scanned.pdf", "corrupt.pdf", "corrupt.docx", "encrypted.pdf"])
def test_a_bad_cv_gets_the_same_error_as_the_cli(client: TestClient, tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError) as cli_error:
        read_cv(FIXTURES / "cv" / name)
    response = client.post("/cv", files={"file": (name, (FIXTURES / "cv" / name).read_bytes())})
    assert response.status_code == 400
    expected = str(cli_error.value).replace(f"{FIXTURES / 'cv'}/", "")
    assert html.escape(expected) in response.text
    assert "outreach-upload-" not in response.text  # the temporary folder is never shown


def test_an_unsupported_type_is_refused(client: TestClient) -> None:
    response = client.post("/cv", files={"file": ("cv.doc", b"old word file")})
    assert response.status_code == 400 and "unsupported file type" in response.text


def test_a_cv_is_kept_only_when_asked_and_can_be_deleted(sample_store: Path) -> None:
    app = make_app()
    with client_for(app) as client:
        upload_cv(client)
        assert not (sample_store / "web").exists()  # nothing on disk by default
        page = upload_cv(client, keep="1")
        assert "Saved under the store" in page
        assert (sample_store / "web" / "cv" / "maya_chen.md").read_bytes() == MAYA.read_bytes()
    with client_for(make_app()) as restarted:  # a new server finds it again
        assert "What was understood from maya_chen.md" in restarted.get("/cv").text
        assert "No CV yet" in restarted.post("/cv/delete").text
        assert not (sample_store / "web" / "cv").exists()
    with client_for(make_app()) as again:
        assert "No CV yet" in again.get("/cv").text


def test_match_ranks_filters_and_adds_to_the_shortlist(client: TestClient) -> None:
    upload_cv(client)
    page = client.get("/match").text
    assert page.index("Baharan Mirzasoleiman") < page.index("Meisam Razaviyayn")
    assert page.count("<meter") == 6 and "<mark>" in page  # three components each; shared terms marked
    only = client.get("/match/rows", params={"q": "razaviyayn"}).text
    assert "Meisam Razaviyayn" in only and "Baharan Mirzasoleiman" not in only
    assert ">2</td>" in only  # keeps its rank in the full list
    place = client.get("/match/rows", params={"affiliation": "University of Southern California"}).text
    assert "Meisam Razaviyayn" in place and "Baharan Mirzasoleiman" not in place
    assert "No professor matches" in client.get("/match/rows", params={"q": "zzzz"}).text
    assert "on the shortlist" in client.post(f"/shortlist/{RAZA}/add").text
    assert "on the shortlist" in client.get("/match/rows", params={"q": "razaviyayn"}).text


def test_professor_page_searches_papers_and_answers_with_linked_markers(client: TestClient) -> None:
    page = client.get(f"/professors/{MIRZA}").text
    assert page.count('<li id="paper-') >= 10
    hits = client.get(f"/professors/{MIRZA}/papers", params={"q": "multi-token prediction"}).text
    assert "Multi-Token Prediction" in hits.split("</li>")[0]
    done = final(
        client,
        client.post(f"/professors/{MIRZA}/ask", data={"question": "What has she published on data selection?"}).text,
    )
    markers = re.findall(r'class="marker" href="#paper-([0-9a-f]+)"', done)
    assert markers and all(f'id="paper-{pid}"' in page for pid in markers)
    assert "References" in done and "Not covered" not in done


def test_a_question_the_papers_do_not_cover_says_so_with_the_closest_papers(client: TestClient) -> None:
    fragment = client.post(f"/professors/{MIRZA}/ask", data={"question": "What is her work on protein folding?"}).text
    done = final(client, fragment)
    assert "Not covered by the indexed papers" in done and "Closest papers" in done
    assert "don&#39;t cover" in done


def test_a_cv_the_student_did_not_keep_leaves_no_vectors_in_the_store(client: TestClient, sample_store: Path) -> None:
    upload_cv(client)
    assert "Meisam Razaviyayn" in client.get("/match").text
    assert "Guardrails: PASSED" in client.post(f"/draft/{MIRZA}/generate").text
    profile = read_cv(MAYA)
    texts = [i.text for i in [*profile.all_items(), *profile.skills]]
    memo = memo_path(sample_store, embedder_id(Settings()))
    assert not any(all_saved(memo, [t]) for t in texts)  # the CLI saves them (tests/test_scale5a_cv_vectors.py)


def test_draft_edit_verify_export_and_mark_drafted(client: TestClient) -> None:
    upload_cv(client)
    editor = client.post(f"/draft/{MIRZA}/generate").text
    assert "Guardrails: PASSED" in editor and "Papers this draft cites" in editor
    subject = html.unescape(re.search(r'name="subject" value="([^"]*)"', editor).group(1))  # type: ignore[union-attr]
    body = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", editor, re.S).group(1))  # type: ignore[union-attr]
    invented = "I loved your paper \u201cQuantum Coresets for Federated Diffusion Transformers\u201d."
    flagged = client.post(f"/draft/{MIRZA}/verify", data={"subject": subject, "body": f"{body}\n\n{invented}"}).text
    assert "NEEDS REVIEW" in flagged and "titles" in flagged
    assert '<mark class="hard"' in flagged and "Quantum Coresets for Federated Diffusion Transformers</mark>" in flagged
    clean = client.post(f"/draft/{MIRZA}/verify", data={"subject": subject, "body": body}).text
    assert "Guardrails: PASSED" in clean and "<mark" not in clean
    eml = client.get(f"/draft/{MIRZA}/export.eml")
    assert eml.headers["content-disposition"] == f'attachment; filename="{MIRZA}.eml"'
    assert "X-Outreach-Guardrails: passed" in eml.text and "From: maya.chen@example.edu" in eml.text
    assert "drafted" in client.post(f"/draft/{MIRZA}/drafted").text
    assert "<option selected>drafted</option>" in client.get("/shortlist").text


def test_export_carries_the_edited_text(client: TestClient) -> None:
    upload_cv(client)
    client.post(f"/draft/{MIRZA}/generate")
    client.post(
        f"/draft/{MIRZA}/verify", data={"subject": "My own subject", "body": "Dear Professor Mirzasoleiman,\n\nHi."}
    )
    eml = client.get(f"/draft/{MIRZA}/export.eml").text
    assert "Subject: My own subject" in eml and "Hi." in eml
    assert "X-Outreach-Guardrails: passed" in eml or "needs-review" in eml


def test_no_draft_no_export(client: TestClient) -> None:
    assert client.get(f"/draft/{MIRZA}/export.eml").status_code == 404
    assert client.post(f"/draft/{MIRZA}/generate").status_code == 400  # no CV yet


def test_shortlist_inline_edits(client: TestClient) -> None:
    client.post(f"/shortlist/{MIRZA}/add")
    saved = client.post(f"/shortlist/{MIRZA}", data={"status": "sent"}).text
    assert "saved: sent" in saved
    client.post(f"/shortlist/{MIRZA}", data={"note": "met at NeurIPS"})
    page = client.get("/shortlist").text
    assert "<option selected>sent</option>" in page and 'value="met at NeurIPS"' in page
    assert client.post(f"/shortlist/{MIRZA}", data={"status": "ghosted"}).status_code == 400
    client.post(f"/shortlist/{MIRZA}/remove")
    assert "Nobody yet" in client.get("/shortlist").text


# ---------------------------------------------------------------- escaping


def test_markup_in_papers_and_cvs_is_shown_as_text(client: TestClient, tmp_path: Path) -> None:
    paper = Paper(
        id="x55", title=f"Robust coresets {SCRIPT}", abstract=f"We select data. {SCRIPT} It works.", year=2026
    )
    ingest_professors([Professor(id="ada-lovelace", name=f"Ada {SCRIPT}", papers=[paper])], Settings())
    cv = tmp_path / "evil.md"
    cv.write_text(f"# Eve\n\n## Research Interests\n\n- Robust coresets {SCRIPT}\n", encoding="utf-8")
    pages = [upload_cv(client, cv), client.get("/store").text, client.get("/professors/ada-lovelace").text]
    pages.append(client.get("/match").text)
    ask = client.post("/professors/ada-lovelace/ask", data={"question": "What about robust coresets?"}).text
    pages.append(final(client, ask))
    for page in pages:
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page


# ---------------------------------------------------------------- ingest


def test_ingest_an_uploaded_file_with_progress(client: TestClient) -> None:
    listing = EXAMPLES / "daily_papers_listing.txt"
    fragment = client.post(
        "/store/ingest", files={"file": (listing.name, listing.read_bytes())}, data={"collection": "daily"}
    ).text
    found = job_events(client, fragment)
    names = [name for name, _ in found]
    assert names[0] == "progress" and names[-1] == "done"
    assert re.search(r"<progress value=\"\d+\" max=\"39\"", found[-2][1])
    assert "39 new" in found[-1][1] and "daily_papers_listing.txt" in found[-1][1]
    assert "daily" in client.get("/store/professors").text


def test_a_broken_ingest_file_is_reported_and_changes_nothing(client: TestClient, sample_store: Path) -> None:
    before = client.get("/store/professors").text
    fragment = client.post("/store/ingest", files={"file": ("bad.jsonl", b'{"name": "A"}\n{not json\n')}).text
    done = final(client, fragment)
    assert 'class="error"' in done and "bad.jsonl" in done and "outreach-upload-" not in done
    assert client.get("/store/professors").text == before


def test_ingest_without_a_file_is_a_clear_error(client: TestClient) -> None:
    response = client.post("/store/ingest", files={"file": ("", b"")})
    assert response.status_code == 400 and "choose a file to ingest" in response.text
