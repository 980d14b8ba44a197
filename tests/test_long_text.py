"""Issue 13: a very long paragraph is laid out in pieces (linear time) and loses no text; timing is
measured by tests/benchmarks/bench_privacy_text.py, not asserted here."""
import io
import re

from pypdf import PdfReader

from desktop.demo import load_demo
from desktop.report.layout import LONG_PARAGRAPH, split_long
from desktop.report.pdf import render_pdf


def test_split_long_keeps_every_character_and_cuts_after_sentences():
    text = " ".join(f"Sentence number {i} ends here." for i in range(2000))
    runs = split_long([(text, "x")])
    assert len(runs) > 1
    assert "".join(t for run in runs for t, _ in run) == text
    assert all(sum(len(t) for t, _ in run) <= LONG_PARAGRAPH for run in runs)
    assert all(run[-1][0].rstrip().endswith(".") for run in runs)
    assert split_long([("short", 1), (" text", 2)]) == [[("short", 1), (" text", 2)]]


def test_split_long_keeps_emphasis_of_each_piece():
    pieces = [("Label.", "bold"), (" " + "word " * 2000, "plain")]
    runs = split_long(pieces)
    assert runs[0][0] == ("Label.", "bold") and all(tag == "plain" for run in runs[1:] for _, tag in run)
    assert "".join(t for run in runs for t, _ in run) == "".join(t for t, _ in pieces)


def test_a_long_paragraph_reaches_the_pdf_whole():
    words = [f"w{i:05d}" for i in range(12000)]  # about 84 KB in one paragraph
    case = load_demo()
    case.manuscript.discussion = " ".join(words)
    buf = io.BytesIO()
    render_pdf(case, buf, draft=True)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(buf.getvalue())).pages)
    found = set(re.findall(r"w\d{5}", text))
    assert found >= set(words)
