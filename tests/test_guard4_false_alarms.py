"""Issue 11, round 4: hard violations on faithful sentences, found as the violations outside the labelled
sentence of fabricated dev emails (each has one fabrication, so any other is a false alarm). Each class of
false alarm has its test, with the fabrication it must still catch beside it."""

from __future__ import annotations

from assistant.cv import profile_from_text
from assistant.guardrails import GuardrailContext, check_text
from assistant.types import Paper, Professor

CV = """Wei Zhang
wei.zhang@example.org

Education

M.Eng. in Computer Science, Zhejiang University — Sep 2023 – Jun 2026
- Thesis: Graph-based ANN search with learned pruning for dense passage retrieval

Projects

- KazNewsRE: 1,200 news sentences annotated for relation extraction; an XLM-R baseline reaches 61.3 F1.
- Text-to-SQL for Portuguese questions.
"""

PAPERS = [
    Paper(
        id="p-knn",
        title="Efficient Nearest Neighbor Language Models",
        abstract=(
            "We take the recently proposed k-nearest neighbors language model as an example and improve its "
            "efficiency. Experiments on WikiText-103 show up to a 6x speed-up."
        ),
    ),
    Paper(
        id="p-retomaton",
        title="Neuro-Symbolic Language Modeling with Automaton-augmented Retrieval",
        abstract="RetoMaton saves up to 83% of the nearest neighbor searches over kNN-LM. We also use SQL queries.",
    ),
    Paper(
        id="p-tau",
        title="Gradient Descent-Ascent Provably Converges with a Finite Timescale Separation",
        abstract=(
            "Existing work on gradient descent-ascent focused on the edge cases of the timescale separation. "
            "We show a finite separation suffices."
        ),
    ),
    Paper(
        id="p-gda",
        title="Global Convergence in Classes of Nonconvex Zero-Sum Games",
        abstract="We study tau-GDA dynamics and prove global convergence with TTLs of cached keys.",
    ),
    Paper(
        id="p-corpus",
        title="Facebook Data for Sentiment Analysis",
        abstract="We release a sentiment corpus of 10,000 Facebook posts annotated by two annotators.",
    ),
]


# Another professor of the store, whose paper uses a term of the CV.
OTHER = Paper(id="p-ann", title="Fast ANN Search on GPUs", abstract="We speed up ANN search on GPUs.")


def _context() -> GuardrailContext:
    prof = Professor(id="junxian-he", name="Junxian He", papers=PAPERS)
    student = profile_from_text(CV)
    return GuardrailContext(
        professor=prof, sources=PAPERS, student=student, other_papers=[("Ada Lovelace", OTHER)], min_words=0
    )


def _hard(body: str, check: str | None = None) -> list[str | None]:
    text = f"Subject: PhD inquiry\n\nDear Professor He,\n\n{body}\n\nBest regards,\nWei Zhang"
    return [v.span for v in check_text(text, _context()).hard_violations if check in (None, v.check)]


def _violations(papers: list[Paper], professor: str, body: str) -> list[tuple[str, str | None]]:
    """(check, span) of the hard violations of an email to `professor` (no CV) about `papers`."""
    prof = Professor(id=professor.lower().replace(" ", "-"), name=professor, papers=papers)
    ctx = GuardrailContext(professor=prof, sources=papers, min_words=0)
    text = f"Subject: PhD inquiry\n\nDear Professor {professor.split()[-1]},\n\n{body}\n\nBest regards,\nSam Lee"
    return [(v.check, v.span) for v in check_text(text, ctx).hard_violations]


# ---------------------------------------------------------------- the PhD the student asks for is not one held


def test_a_phd_the_student_plans_or_asks_for_is_not_a_degree_claimed() -> None:
    assert _hard("I would like my PhD to combine optimisation with systems.", "student_claims") == []
    assert _hard("Would you consider supervising my PhD on nearest-neighbour search?", "student_claims") == []
    assert _hard("I am writing to express my interest in PhD research on retrieval.", "student_claims") == []


def test_a_phd_the_student_says_they_hold_is_still_checked() -> None:
    assert _hard("I hold a PhD in physics from Zhejiang University.", "student_claims") == ["PhD"]
    assert _hard("My PhD thesis was on graph search.", "student_claims") == ["PhD"]


# ---------------------------------------------------------------- an unquoted title names its paper


def test_a_title_written_out_without_quotes_names_its_paper() -> None:
    body = (
        "Efficient Nearest Neighbor Language Models studies how to cut the overhead of kNN-LM, with up to a 6x "
        "speed-up on WikiText-103."
    )
    assert _hard(body, "numbers") == []


def test_a_figure_of_another_paper_after_an_unquoted_title_is_caught() -> None:
    body = "Efficient Nearest Neighbor Language Models saves up to 83% of the nearest neighbor searches."
    assert "83%" in _hard(body, "numbers")


# ---------------------------------------------------------------- acronyms a paper spells out


def test_an_acronym_the_paragraphs_paper_spells_out_keeps_the_paragraph_on_it() -> None:
    body = (
        'Your paper "Gradient Descent-Ascent Provably Converges with a Finite Timescale Separation" explained a '
        "lot. Past work focused on the edge cases of the timescale separation, where GDA need not converge. You "
        "show a finite separation suffices."
    )
    assert _hard(body, "numbers") == []


# ---------------------------------------------------------------- questions and requests credit nothing


def test_a_name_of_another_paper_in_a_question_is_not_credited_to_this_one() -> None:
    body = (
        "I would like to understand whether your Efficient Nearest Neighbor Language Models approach remains "
        "attractive when TTLs define the working set."
    )
    assert _hard(body, "numbers") == []
    stated = "Your Efficient Nearest Neighbor Language Models paper sets TTLs for the datastore."
    assert _hard(stated, "numbers") == ["TTLs"]


def test_a_cv_term_in_a_request_to_the_professor_is_the_students() -> None:
    body = "I would like to ask whether you have a place for a PhD student interested in ANN search."
    assert _hard(body) == []


def test_a_cv_term_beside_their_paper_is_the_students_as_a_figure_would_be() -> None:
    body = (
        'I recently read "Efficient Nearest Neighbor Language Models". Its speed-up seems very relevant to '
        "Portuguese questions paired with English-like SQL schemas."
    )
    assert _hard(body) == []


# ---------------------------------------------------------------- what the student read is the professor's


def test_a_figure_in_what_the_student_read_is_the_papers() -> None:
    body = "I was equally interested in the Facebook sentiment corpus of 10,000 posts."
    assert _hard(body) == []


def test_a_figure_the_student_did_is_still_the_cvs() -> None:
    body = "I was interested in sentiment, and I annotated 10,000 posts myself."
    assert _hard(body, "student_claims") == ["10,000"]


def test_experience_the_sentence_says_comes_from_the_cv_is_backed() -> None:
    body = "My own experience with domain shift is from relation extraction on KazNewsRE."
    assert _hard(body, "student_claims") == []
    assert _hard("I have hands-on experience with reinforcement learning.", "student_claims") == [
        "reinforcement learning"
    ]


# ---------------------------------------------------------------- which title a sentence names


SIBLINGS = [
    Paper(
        id="p-online",
        title="Social Influences on Online Political Information Search and Evaluation",
        abstract="We survey 1,200 voters about online search.",
    ),
    Paper(
        id="p-offline",
        title="Social Influences on Political Information Search and Evaluation",
        abstract="We interview 45 voters about how peers shape their search.",
    ),
    Paper(
        id="p-german",
        title="Manual and Semi-automatic Normalization of Historical Spelling: Case Studies from Early New High German",
        abstract="We normalise the spelling of 12 manuscripts.",
    ),
    Paper(
        id="p-attention",
        title="Learning Attention for Historical Text Normalization by Learning to Pronounce",
        abstract="We analyse the induced models across 44 different texts from Early New High German.",
    ),
]


def _sibling_numbers(body: str) -> list[str | None]:
    return [span for check, span in _violations(SIBLINGS, "Marcel Bollmann", body) if check == "numbers"]


def test_a_quoted_title_names_the_paper_it_is_exactly_not_a_near_sibling() -> None:
    body = 'In "Social Influences on Political Information Search and Evaluation", you interview 45 voters.'
    assert _sibling_numbers(body) == []


def test_words_of_a_title_are_not_the_title() -> None:
    body = "In your work on attention, you analyse the induced models across 44 texts from Early New High German."
    assert _sibling_numbers(body) == []


def test_a_method_their_abstract_names_in_title_case_is_not_an_invented_title() -> None:
    papers = [
        Paper(
            id="p-spiel",
            title="An Empirical Study on Visual Guessing Games",
            abstract="We let an agent play by itself, called Self-play via Iterated Experience Learning (SPIEL).",
        )
    ]
    body = "You let an agent play by itself, called Self-play via Iterated Experience Learning, and it learns well."
    assert _violations(papers, "Yonatan Bisk", body) == []
    invented = body.replace("Iterated Experience", "Recursive Episode")
    assert [check for check, _ in _violations(papers, "Yonatan Bisk", invented)] == ["titles"]


def test_a_year_with_a_letter_is_not_a_dangling_article() -> None:
    body = "Your method beats word dropout (Sennrich et al., 2016a)."
    assert [check for check, _ in _violations([], "Yonatan Bisk", body) if check == "form"] == []


def test_a_title_further_in_a_sentence_may_be_a_datasets_name() -> None:
    papers = [
        Paper(
            id="p-naist",
            title="The NAIST Simultaneous Translation Corpus",
            abstract="We release 50 hours of simultaneous interpretation.",
        ),
        Paper(
            id="p-cai",
            title="Lost in Interpretation: Predicting Untranslated Terminology",
            abstract="We propose CAI, a terminology predictor for interpreters, evaluated on the NAIST corpus.",
        ),
    ]
    body = "With CAI, experiments on the NAIST Simultaneous Translation Corpus show the promise of your method."
    assert _violations(papers, "Graham Neubig", body) == []


def test_words_describing_the_paragraphs_paper_keep_the_paragraph_on_it() -> None:
    papers = [
        Paper(
            id="p-3pc",
            title="Three Point Compressors for Communication-Efficient Distributed Training",
            abstract=(
                "We propose three point compressors for communication-efficient training. Unlike a static "
                "compressor choice, our class lets the compressors evolve during training. Our approach recovers "
                "the error feedback mechanism EF21 as a special case."
            ),
        ),
        Paper(
            id="p-ef21",
            title="EF21 with Bells and Whistles",
            abstract="We extend EF21 with six practical algorithmic extensions of error feedback.",
        ),
    ]
    body = (
        'In "Three Point Compressors for Communication-Efficient Distributed Training", you propose three point '
        "compressors. Unlike a static compressor choice, the class lets the compressors evolve during training. "
        "You show that the approach recovers the error feedback mechanism EF21 as a special case."
    )
    assert _violations(papers, "Eduard Gorbunov", body) == []


def test_a_dataset_beside_a_method_is_where_that_method_was_evaluated() -> None:
    papers = [
        Paper(
            id="p-hotpot",
            title="HotpotQA: A Dataset for Diverse, Explainable Multi-hop Question Answering",
            abstract="We collect 113k multi-hop questions.",
        ),
        Paper(
            id="p-drkit",
            title="Differentiable Reasoning over a Virtual Knowledge Base",
            abstract="On HotpotQA, DrKIT leads to a 10% improvement over a BERT-based re-ranking approach.",
        ),
    ]
    body = "On HotpotQA, DrKIT leads to a 10% improvement over a BERT-based re-ranking approach."
    assert _violations(papers, "William Cohen", body) == []
    assert _violations(papers, "William Cohen", body.replace("10%", "30%")) == [("numbers", "30%")]


def test_a_capitalised_common_word_does_not_tie_a_figure_to_another() -> None:
    papers = [
        Paper(
            id="p-c4",
            title="C4Corpus: Multilingual Web-size Corpus with Free License",
            abstract=(
                "A large web corpus is crucial for many NLP tasks. In this article we present the construction "
                "of 12 million-pages Web corpus (over 10 "
                "billion tokens) licensed under CreativeCommons license family in 50+ languages that has been "
                "extracted from CommonCrawl, the largest publicly available general Web crawl to date with about 2 "
                "billion crawled URLs."
            ),
        )
    ]
    body = (
        'In "C4Corpus: Multilingual Web-size Corpus with Free License", you present the construction of 12 '
        "million-pages Web corpus in 50+ languages."
    )
    assert _violations(papers, "Ivan Habernal", body) == []


def test_an_initial_does_not_end_a_sentence_on_a_dangling_article() -> None:
    body = "The course was taught for decades by Prof. A.A. Natan, S.A. Your lab continues it."
    assert [check for check, _ in _violations([], "Yonatan Bisk", body) if check == "form"] == []
    assert [check for check, _ in _violations([], "Yonatan Bisk", "Your model beats a.") if check == "form"] == ["form"]


# ---------------------------------------------------------------- found on writers g and h (dev)


def test_this_work_after_the_students_own_work_is_theirs() -> None:
    body = "I annotated 1,200 news sentences for relation extraction. This work appeared at VarDial 2026."
    assert _hard(body, "numbers") == []
    body = "I annotated 1,200 news sentences; the work appeared at a workshop in 2026."
    assert _hard(body, "numbers") == []
    assert "2026" in _hard("Your paper appeared at ACL 2026.", "numbers")


def test_twice_counting_occasions_is_no_ratio() -> None:
    assert _hard("I have faced the same problem twice.", "student_claims") == []
    assert _hard("My pruning rule made the index twice as fast.", "student_claims") == ["twice"]


def test_a_figure_the_student_noted_in_the_paper_is_the_papers() -> None:
    assert _hard("I also noted the Facebook corpus of 10,000 posts.") == []


def test_a_name_written_with_other_hyphens_is_theirs() -> None:
    papers = [
        Paper(
            id="p-code",
            title="A Systematic Evaluation of Large Language Models of Code",
            abstract="We evaluate Codex, GPT-J, GPT-Neo, GPT-NeoX20B and CodeParrot across programming languages.",
        )
    ]
    body = "I appreciated that the paper compares Codex, GPT-J, GPT-NeoX-20B and CodeParrot across languages."
    assert _violations(papers, "Uri Alon", body) == []


def test_a_list_items_number_measures_nothing() -> None:
    papers = [
        Paper(
            id="p-xel",
            title="Improving Candidate Generation for Low-resource Cross-lingual Entity Linking",
            abstract=(
                "We propose three improvements that (1) reduce the disconnect between entity mentions and KB "
                "entries, and (2) improve the robustness of the model to low-resource scenarios."
            ),
        )
    ]
    body = (
        'In "Improving Candidate Generation for Low-resource Cross-lingual Entity Linking", you propose three '
        "simple improvements that reduce the disconnect between entity mentions and KB entries."
    )
    assert _violations(papers, "Shuyan Zhou", body) == []
