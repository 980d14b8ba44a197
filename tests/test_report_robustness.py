"""Anything a user can type renders or is escaped, nothing runs off the page, and bad images give a
clear error naming the figure. Photos keep their orientation and are placed at no more than 300 dpi."""
from __future__ import annotations

import io
import re

import pypdf
import pytest
from PIL import Image
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.model import Event, LabResult, Figure, When
from desktop.report import fonts, text
from desktop.report.errors import ReportError
from desktop.report.pdf import render_pdf
from desktop.report.photos import MAX_DPI
from desktop.report.styles import MARGIN_L, MARGIN_R, PAGE
from test_report_cases import full_case, jpeg, png_rgba

MARKUP = "<b>not bold</b> & <font name='Nope' size=40>x</font> <para> &amp; <img src='/etc/passwd'/> <br/> ]]> </i>"
HEBREW = "המטופל סירב לביופסיה נוספת"
ARABIC = "رفض المريض خزعة أخرى"
EMOJI = "The patient said 😀👍🏽 about the dressing"
LONG_WORD = "Pneumono" + "ultramicroscopicsilicovolcanoconiosis" * 8 + "X"  # > 300 characters, no break
assert len(LONG_WORD) > 300


_FURNITURE = re.compile(r"^.*?Page \d+ of\s*\d+\s*", re.DOTALL)


def body(pages: list[str]) -> str:
    """The pages' text without the running header and footer (drawn first on every page), so a
    sentence broken across a page reads whole."""
    return "\n".join(_FURNITURE.sub("", p, count=1) for p in pages)


def _render(case, **kw):
    buf = io.BytesIO()
    info = render_pdf(case, buf, **kw)
    reader = pypdf.PdfReader(io.BytesIO(buf.getvalue()))
    return info, reader, [p.extract_text() for p in reader.pages]


SHRINK = ParagraphStyle("probe").spaceShrinkage
_FACES = {"SourceSerifPro": fonts.SERIF, "SourceSansPro": fonts.SANS}
_STYLES = {"Regular": "", "Bold": "-Bold", "It": "-Italic", "BoldIt": "-BoldItalic"}


def _font_of(base_font: str) -> str:
    family, style = base_font.split("+", 1)[-1].lstrip("/").split("-", 1)
    return _FACES[family] + _STYLES[style]


def overflowing_text(reader: pypdf.PdfReader) -> list[tuple[int, str, float]]:
    """Text drawn past the right margin or left of the left margin: (page, text, x_right)."""
    bad = []
    width = PAGE[0]
    for n, page in enumerate(reader.pages, 1):
        def visit(t, cm, tm, font, size, n=n):
            t = t.strip()
            if not t or font is None or cm[1] or cm[2] or tm[1] or tm[2]:
                return  # empty, or rotated (the draft watermark)
            x = cm[4] + tm[4] * cm[0]
            if x == 0 and cm[5] == 0:
                return  # the page-total form, which pypdf does not place
            line = t.split("\n")[0]
            face = _font_of(font["/BaseFont"])
            right = x + stringWidth(line, face, size) * cm[0]
            # reportlab may shrink the spaces of a line by up to spaceShrinkage (pypdf reports the
            # text without that word spacing)
            slack = 1.5 + line.count(" ") * stringWidth(" ", face, size) * SHRINK
            if right > width - MARGIN_R + slack or x < MARGIN_L - 1.5:
                bad.append((n, t[:60], right))
        page.extract_text(visitor_text=visit)
    return bad


@pytest.fixture(scope="module")
def hostile():
    case = full_case()
    n = case.manuscript
    n.discussion = "\n\n".join([MARKUP, HEBREW, ARABIC, EMOJI, LONG_WORD, "Plain closing paragraph."])
    n.conclusions = ("Calciphylaxis remains a challenge. " * 1500)[:50_000]  # a 50,000-character text
    assert len(n.conclusions) == 50_000
    n.patient_perspective = "Line one\nline two\r\nline three\x00 with a NUL\x07 and a bidi \u202eoverride\u202c"
    case.title = f"{MARKUP}: a case report"
    case.keywords.append(LONG_WORD)
    case.labs.append(LabResult(id="lx", analyte="calcium", value=9.1, unit="mg/dL", note=LONG_WORD + " " + MARKUP,
                               when=When(offset=5)))
    case.events.append(Event(id="ex", kind="other", description=LONG_WORD + " " + HEBREW + " " + EMOJI,
                             when=When(offset=6)))
    case.lesions[0].site_detail = LONG_WORD
    case.treatments[0].response_detail = ("very long response " * 600).strip()
    case.manuscript.references.append("<ref> & " + LONG_WORD)
    case.authors[0].name = "Zoë <Ångström> & Ñandú"
    case.outcome.summary = ("A long outcome summary. " * 900).strip()
    case.figures[0].caption = ("A very long photo caption. " * 120).strip()
    # more events than one timeline drawing holds
    case.events += [Event(id=f"many{i}", kind="follow_up", description=f"Dressing change {i}",
                          when=When(offset=float(7 + i))) for i in range(150)]
    return (case,) + _render(case)


def test_markup_is_printed_literally(hostile):
    _, info, reader, pages = hostile
    flat = " ".join(" ".join(pages).split())
    assert "<b>not bold</b> & <font name='Nope' size=40>x</font> <para> &amp; <img src='/etc/passwd'/>" in flat
    assert "Zoë <Ångström> & Ñandú" in flat
    assert reader.metadata.title.startswith("<b>not bold</b> &")


def test_long_text_and_long_words_render_whole(hostile):
    case, info, reader, pages = hostile
    joined = re.sub(r"\s+", "", body(pages))
    assert joined.count("Alongoutcomesummary.") == 900
    assert joined.count("Averylongphotocaption.") == 119 and "Averylongphotocaption(lesion1," in joined
    assert "Dressingchange149" in joined
    assert joined.count(LONG_WORD) >= 5  # discussion, lab note, event, lesion detail, reference (+ keyword)
    assert joined.count("Calciphylaxisremainsachallenge.") == 50_000 // len("Calciphylaxis remains a challenge. ")
    assert info.pages > 15


def test_nothing_overflows_the_page(hostile):
    _, info, reader, pages = hostile
    assert overflowing_text(reader) == []


def test_right_to_left_and_emoji_do_not_crash_and_are_reported(hostile):
    _, info, reader, pages = hostile
    flat = " ".join(" ".join(pages).split())
    assert "The patient said" in flat and "about the dressing" in flat
    warning = next(w for w in info.warnings if "not in the report font" in w)
    assert "Hebrew (" in warning and "Arabic (" in warning and "emoji and symbols (" in warning
    assert "manuscript.discussion" in warning and "events[7].description" in warning


def test_control_and_bidi_characters_are_dropped(hostile):
    _, info, reader, pages = hostile
    flat = " ".join(" ".join(pages).split())
    assert "Line one line two line three with a NUL and a bidi override" in flat


def test_overflow_check_catches_text_past_the_margin():
    """The overflow check itself: text drawn past the right margin is found."""
    from reportlab.pdfgen.canvas import Canvas
    fonts.register()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=PAGE)
    c.setFont(fonts.SANS, 8)
    c.drawString(MARGIN_L, 700, "inside")
    c.drawString(PAGE[0] - MARGIN_R - 5, 680, "this runs off the page")
    c.save()
    bad = overflowing_text(pypdf.PdfReader(io.BytesIO(buf.getvalue())))
    assert [b[1] for b in bad] == ["this runs off the page"]


# --- images ---------------------------------------------------------------------------------------

_PLACED = re.compile(r"([\d.]+) 0 0 ([\d.]+) [-\d.]+ [-\d.]+ cm\s*/(\S+) Do")


def _placed_images(reader: pypdf.PdfReader) -> list[tuple[float, float, int, int]]:
    """(placed width pt, placed height pt, pixel width, pixel height) of every image drawn, on a
    page or inside a form the page draws (photos are forms, filled in when the document closes)."""
    out = []

    def scan(content: str, xobjects) -> None:
        for m in _PLACED.finditer(content):
            xo = xobjects.get("/" + m.group(3))
            if xo is not None and xo.get_object().get("/Subtype") == "/Image":
                xo = xo.get_object()
                assert "/DCTDecode" in str(xo["/Filter"])
                out.append((float(m.group(1)), float(m.group(2)), int(xo["/Width"]), int(xo["/Height"])))
        for name in re.findall(r"/(\S+) Do", content):
            xo = xobjects.get("/" + name)
            if xo is not None and xo.get_object().get("/Subtype") == "/Form":
                form = xo.get_object()
                inner = form.get("/Resources", {}).get("/XObject", xobjects)
                scan(form.get_data().decode("latin-1"), inner)

    for page in reader.pages:
        scan(page.get_contents().get_data().decode("latin-1"), page["/Resources"].get("/XObject", {}))
    return out


def test_photos_respect_exif_orientation_and_300_dpi():
    case = full_case()
    big = jpeg(4000, 3000, orientation=6, seed=9)  # stored landscape, shown portrait
    case.figures = [Figure(id="big", data=big, caption="Rotated phone photo", lesion_id="les1")]
    info, reader, pages = _render(case)
    (w_pt, h_pt, w_px, h_px), = _placed_images(reader)
    assert h_pt > w_pt and h_px > w_px  # portrait, as the camera meant it
    assert abs(w_pt / h_pt - 3 / 4) < 0.01
    assert w_px / (w_pt / 72) <= MAX_DPI + 0.5 and h_px / (h_pt / 72) <= MAX_DPI + 0.5
    assert w_px / (w_pt / 72) > MAX_DPI - 2  # and not needlessly smaller
    img = next(iter(reader.pages[i].images for i in range(len(reader.pages)) if reader.pages[i].images))[0]
    with Image.open(io.BytesIO(img.data)) as im:
        # the arrow of the test image points to the top of the stored image; orientation 6 turns it
        # to the right side once upright
        px = im.convert("RGB").resize((40, 40))
        right = px.getpixel((37, 20))
        assert right[0] > 150 and right[1] < 100


def test_small_photo_is_not_enlarged_in_pixels_and_png_alpha_is_flattened():
    case = full_case()
    case.figures = [Figure(id="tiny", data=jpeg(120, 90, seed=5), caption="Tiny", lesion_id="les1"),
                  Figure(id="alpha", mime="image/png", data=png_rgba(200, 100), caption="PNG", lesion_id="les2")]
    info, reader, pages = _render(case)
    placed = _placed_images(reader)
    assert sorted((p[2], p[3]) for p in placed) == [(120, 90), (200, 100)]


@pytest.mark.parametrize("data, detail", [
    (b"\xff\xd8\xff\xe0 this is not really a JPEG", ""),
    (jpeg(400, 300, seed=7)[:900], ""),  # truncated
    (b"", "no data"),
])
def test_corrupt_image_names_its_figure(tmp_path, data, detail):
    case = full_case()
    case.figures[0].data = data
    out = tmp_path / "r.pdf"
    with pytest.raises(ReportError) as e:
        render_pdf(case, out)
    msg = str(e.value)
    # Fig. 1 is the body map; the lesion photo is Fig. 2
    assert msg.startswith("Figure 2 (thigh, anterior, left, day 0): ")
    assert ("the image cannot be decoded" in msg) or (detail and detail in msg)
    assert "Traceback" not in msg
    assert not out.exists() and list(tmp_path.iterdir()) == []


# --- the text helpers ---------------------------------------------------------------------------

def test_escape_and_clean():
    assert text.esc("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert text.clean("a\x00b\u202ec\ud800d") == "abc\ufffdd"
    assert text.paragraphs("one\n\n\ntwo\nthree") == ["one", "two<br/>three"]
    assert text.plain("x" * 50, 10) == "x" * 9 + "…"


def test_missing_glyphs():
    assert fonts.missing_glyphs("µ ≤ ² − – é Zoë") == set()
    assert fonts.missing_glyphs("😀 א") == {"😀", "א"}


def test_a_paragraph_wrapped_again_at_the_same_width_draws_the_same():
    """Para keeps its line breaking for the width it was last wrapped to; the PDF it draws must be
    the one reportlab's own Paragraph draws, after any sequence of wraps at other widths."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph
    from desktop.report.layout import Para
    from desktop.report.styles import styles

    fonts.register()
    markup = text.esc("Calcium 9.2 mg/dL (8.5–10.5) ≤ 2 µmol/L — " * 30) + " <b>bold</b> <i>italic</i>"

    def draw(cls, widths):
        buf = io.BytesIO()
        c = Canvas(buf, invariant=1)
        p = cls(markup, styles().body)
        for w in widths:
            p.wrap(w, 800)
        h = p.wrap(widths[-1], 800)[1]
        p.drawOn(c, 50, 800 - h)
        c.showPage()
        c.save()
        return buf.getvalue(), h

    for widths in ([300], [300, 300], [200, 450, 300], [450, 300, 300, 200, 300]):
        assert draw(Para, widths) == draw(Paragraph, widths[-1:]), widths
    p = Para(markup, styles().body)
    p.wrap(300, 800)
    lines = p.blPara
    assert p.wrap(300, 800) and p.blPara is lines  # the same width: the lines are kept
    p.wrap(200, 800)
    assert p.blPara is not lines and p.height > 0
    assert p.wrap(0, 800) == Paragraph(markup, styles().body).wrap(0, 800)  # no room: nothing kept
    assert p.wrap(0, 800) == (0, 0x7fffffff)


def _placed_text(pdf: bytes) -> list[tuple[str, float, float]]:
    """Every text fragment of a one-page PDF with where it starts (x, y in points)."""
    out = []

    def visit(t, cm, tm, font, size):
        if t.strip():
            out.append((t, round(tm[4] * cm[0] + cm[4], 2), round(tm[5] * cm[3] + cm[5], 2)))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return out


def test_table_cells_written_directly_match_reportlab_text_objects(monkeypatch):
    """DataTable writes its one-line cells as one text block per row, each string encoded once per
    document; the text, the positions and the embedded fonts must be those reportlab's own text
    objects give."""
    from reportlab.pdfgen.canvas import Canvas
    from desktop.report import layout
    from desktop.report.fonts import SANS

    fonts.register()
    widths = [110, 60, 50, 90, 30, 90]
    rows = [["Calcium", "9.2", "mg/dL", "8.5–10.5", "", "day −3"], ["PTH (intact)", "1,230", "pg/mL", "15–65", "H", "day 0"],
            ["Ca × P", "82.8", "mg²/dL²", "< 55", "H", "day 0, approximate"], ["µ ≤ ² − – é", "(x) \\ ]", "a)b(", "", "", ""]]

    def render() -> bytes:
        buf = io.BytesIO()
        c = Canvas(buf, invariant=1)
        head = [layout.cell(h, w, bold=True) for h, w in zip(["Analyte", "Value", "Unit", "Range", "Flag", "Time"], widths)]
        body = [[layout.cell(v, w) for v, w in zip(r, widths)] for r in rows * 3]
        t = layout.DataTable(head, body, widths, align_right=[1])
        _, h = t.wrap(500, 800)
        t.drawOn(c, 40, 780 - h)
        c.setFont(SANS, 8)
        c.drawString(40, 40, "after the table")  # text drawn later keeps its own font
        c.showPage()
        c.save()
        return buf.getvalue()

    direct = render()

    class NotTrueType:  # every font then goes through reportlab's text object
        pass

    monkeypatch.setattr(layout, "TTFont", NotTrueType)
    reference = render()
    got, want = _placed_text(direct), _placed_text(reference)
    assert [t for t, _, _ in got] == [t for t, _, _ in want]
    assert got == want
    assert "1,230" in "".join(t for t, _, _ in got) and "µ ≤ ² − – é" in "".join(t for t, _, _ in got)

    def fonts_of(pdf):
        res = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
        return sorted(str(f.get_object()["/BaseFont"]) for f in res.values())

    assert fonts_of(direct) == fonts_of(reference)


def test_a_response_s_detail_after_its_word_runs_on_in_lower_case():
    """Salupo, Norris & Taliercio (J Osteopath Med 2024): "After 2 months of STS, the wound continues
    healing", recorded as the response's detail of an improved response. The table read "Improved:
    After 2 months …"; a capital after the colon is not how the sentence runs on. An acronym keeps
    its capitals."""
    from desktop.model import Treatment
    from desktop.report.therapy import response_text
    t = Treatment(agent="sodium thiosulfate", response="improved",
                  response_detail="After 2 months of sodium thiosulfate, the wound continues healing.")
    assert response_text(t) == "Improved: after 2 months of sodium thiosulfate, the wound continues healing."
    t.response_detail = "HBOT sessions were stopped."
    assert response_text(t) == "Improved: HBOT sessions were stopped."
