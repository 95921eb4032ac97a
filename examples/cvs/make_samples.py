"""Generate the binary sample CVs: arjun_patel.docx (Word, with a skills table) and sofia_rossi.pdf (two columns).

The students are fictional. Run from anywhere: `python examples/cvs/make_samples.py`. Needs python-docx and the
dev dependency reportlab. The output is byte-for-byte reproducible, so regenerating does not churn the repository.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2025, 9, 1, 12, 0, 0, tzinfo=dt.UTC)

# ---------------------------------------------------------------- Arjun Patel (DOCX)

ARJUN_INTERESTS = (
    "My research is on optimization for machine learning. I am interested in min-max and nonconvex "
    "optimization, in particular the convergence of first-order methods for games and bilevel problems. "
    "I also work on data mixing for language-model pre-training, and on efficient sequence models such as "
    "linear-time recurrent architectures whose memory grows with the context."
)

ARJUN_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Education",
        [
            (
                "Normal",
                "M.S. in Electrical and Computer Engineering, University of Texas at Austin, 2024 – 2026 (expected)",
            ),
            ("List Bullet", "Thesis: bilevel optimization for online data mixing (advisor to be confirmed)"),
            ("List Bullet", "GPA 3.95/4.00"),
            ("Normal", "B.Tech. in Mathematics and Computing, Indian Institute of Technology Delhi, 2020 – 2024"),
            ("List Bullet", "Minor in Operations Research; department rank 4 of 78"),
        ],
    ),
    (
        "Publications",
        [
            (
                "List Number",
                "A. Patel, K. Nguyen. Last-Iterate Convergence of Optimistic Gradient Descent-Ascent in "
                "Nonconvex-Concave Games: A Short Note. Workshop on Optimization for Machine Learning, 2025 (poster).",
            ),
            (
                "List Number",
                "A. Patel. Online Data Mixing with Bandit Feedback for Small Language Models. "
                "Tiny Papers Track, 2025 (non-archival).",
            ),
        ],
    ),
    (
        "Research Experience",
        [
            ("Normal", "Graduate Research Assistant, Optimization and Learning Lab, UT Austin, Jan 2025 – present"),
            (
                "List Bullet",
                "Analysing data mixing as a bilevel problem: how many inner gradient steps to take before "
                "updating the domain weights",
            ),
            (
                "List Bullet",
                "Ran data-mixing experiments on 160M-parameter language models trained on six domains of "
                "a public web corpus",
            ),
            ("Normal", "Research Intern, Applied Science Group, Bengaluru, May 2023 – Jul 2023"),
            (
                "List Bullet",
                "Implemented stochastic gradient descent-ascent for fair classification with a min-max objective",
            ),
        ],
    ),
    (
        "Projects",
        [
            (
                "List Bullet",
                "EM for mixed linear regression: implemented EM with random initialisation and measured how "
                "often it recovers both regression vectors as the separation shrinks",
            ),
            (
                "List Bullet",
                "Recurrent memory for long sequences: a linear RNN that caches checkpoints of its hidden state, "
                "compared with a Transformer on an in-context recall task",
            ),
        ],
    ),
]

ARJUN_SKILLS = [
    ("Languages", "Python, Julia, C++, MATLAB"),
    ("Libraries", "PyTorch, JAX, CVXPY, NumPy, SciPy"),
    ("Methods", "stochastic gradient methods; min-max optimization; bilevel optimization; EM algorithm"),
]

ARJUN_AWARDS = [
    "Cockrell School of Engineering Graduate Fellowship, 2024",
    "Best Undergraduate Thesis Award, Department of Mathematics, IIT Delhi, 2024",
    "KVPY Fellowship (national science talent search), 2019",
]


def make_arjun_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Arjun Patel", style="Title")
    document.add_paragraph("arjun.patel@example.edu | Austin, TX | arjunpatel.example.io")
    document.add_heading("Research Interests", level=1)
    document.add_paragraph(ARJUN_INTERESTS)
    for heading, paragraphs in ARJUN_SECTIONS:
        document.add_heading(heading, level=1)
        for style, text in paragraphs:
            document.add_paragraph(text, style=style)
    document.add_heading("Technical Skills", level=1)
    table = document.add_table(rows=0, cols=2)
    for label, value in ARJUN_SKILLS:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_heading("Honors & Awards", level=1)
    for award in ARJUN_AWARDS:
        document.add_paragraph(award, style="List Bullet")
    props = document.core_properties
    props.author, props.last_modified_by, props.title = "Arjun Patel", "Arjun Patel", "CV"
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))


def _fixed_zip_times(data: bytes) -> bytes:
    """python-docx stamps each zip entry with the current time; pin it so the file is reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- Sofia Rossi (two-column PDF)

SOFIA_LEFT: list[tuple[str, list[str]]] = [
    (
        "EDUCATION",
        [
            "MSc in Speech and Language Processing, University of Edinburgh, 2024 – 2025 (distinction expected)",
            "BSc in Computer Engineering, University of Bologna, 2020 – 2023, 110/110 cum laude",
        ],
    ),
    (
        "SKILLS",
        [
            "Programming: Python, C++, Bash",
            "Speech and NLP: PyTorch, torchaudio, ESPnet, Kaldi, Hugging Face Transformers, fairseq",
            "Tools: Git, Docker, Slurm, LaTeX",
        ],
    ),
    (
        "AWARDS",
        [
            "Edinburgh Global Master's Scholarship, 2024",
            "Best Student Paper runner-up, regional speech workshop, 2024",
            "Collegio Superiore merit scholarship, University of Bologna, 2020 – 2023",
        ],
    ),
]

SOFIA_RIGHT: list[tuple[str, list[str]]] = [
    (
        "RESEARCH INTERESTS",
        [
            "Automatic speech recognition for low-resource languages and dialects",
            "Self-supervised speech representations and how well they transfer across languages",
            "Spoken language understanding and fairness of ASR across accents",
        ],
    ),
    (
        "PUBLICATIONS",
        [
            "S. Rossi, P. Murray. Dialect-Aware Fine-Tuning of Self-Supervised Speech Models for Emilian and "
            "Romagnol. Workshop on Speech Technology for Under-Resourced Languages, 2025 (short paper).",
            "S. Rossi. Measuring Accent Gaps in Open-Source ASR: A Small Italian Benchmark. Student Research "
            "Workshop, 2024 (extended abstract).",
        ],
    ),
    (
        "RESEARCH EXPERIENCE",
        [
            "Research Assistant, Centre for Speech Technology Research, University of Edinburgh, 2024 – present: "
            "adapting a wav2vec 2.0 model to two Italian dialects with under ten hours of transcribed audio",
            "Undergraduate thesis, University of Bologna, 2023: keyword spotting on a microcontroller with a "
            "quantised convolutional network",
        ],
    ),
    (
        "PROJECTS",
        [
            "Accent gap dashboard: word error rates of open ASR models broken down by speaker accent, "
            "with bootstrap confidence intervals",
            "Code-switching data augmentation: synthetic Italian-English utterances built by splicing aligned "
            "words, for training a bilingual recognizer",
        ],
    ),
]


def make_sofia_pdf(path: Path) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph, Spacer

    width, height = A4
    margin, gutter, header_height = 16 * mm, 8 * mm, 28 * mm
    left_width = (width - 2 * margin - gutter) * 0.42
    right_width = width - 2 * margin - gutter - left_width
    body_height = height - 2 * margin - header_height
    frames = [
        Frame(margin, height - margin - header_height, width - 2 * margin, header_height, id="header"),
        Frame(margin, margin, left_width, body_height, id="left"),
        Frame(margin + left_width + gutter, margin, right_width, body_height, id="right"),
    ]
    doc = BaseDocTemplate(
        str(path), pagesize=A4, title="Sofia Rossi — CV", author="Sofia Rossi", invariant=1, pageCompression=1
    )
    doc.addPageTemplates([PageTemplate(id="cv", frames=frames)])

    name = ParagraphStyle("name", fontName="Helvetica-Bold", fontSize=22, leading=26)
    contact = ParagraphStyle("contact", fontName="Helvetica", fontSize=9.5, leading=12, textColor=HexColor("#444444"))
    heading = ParagraphStyle(
        "heading", fontName="Helvetica-Bold", fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3,
        textColor=HexColor("#1f4e79"),
    )  # fmt: skip
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12, leftIndent=9, spaceAfter=2.5)

    story: list[object] = [
        Paragraph("Sofia Rossi", name),
        Paragraph("sofia.rossi@example.edu · Edinburgh, United Kingdom · sofiarossi.example.net", contact),
        FrameBreak(),
    ]
    for column in (SOFIA_LEFT, SOFIA_RIGHT):
        for title, entries in column:
            story.append(Paragraph(title, heading))
            story.extend(Paragraph(entry, body, bulletText="•") for entry in entries)
            story.append(Spacer(1, 2))
        if column is SOFIA_LEFT:
            story.append(FrameBreak())
    doc.build(story)


def main() -> None:
    make_arjun_docx(HERE / "arjun_patel.docx")
    make_sofia_pdf(HERE / "sofia_rossi.pdf")
    print(f"wrote {HERE / 'arjun_patel.docx'} and {HERE / 'sofia_rossi.pdf'}")


if __name__ == "__main__":
    main()
