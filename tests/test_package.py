"""Issue 15: the submission package (``casebook package``, desktop/app/package.py). Every file of the
package is opened: the manuscript PDF and DOCX read back, each figure read with Pillow (resolution and
format from the journal's profile), the CARE checklist's pages compared with the manuscript PDF's own
pages, the manifest's hashes recomputed; a revised package lists what changed; identifiers are refused
(exit 3) or redacted; BMJ Case Reports' anonymisation is applied and listed."""
from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import docx
import pypdf
import pytest
from PIL import Image

from desktop import jsonio
from desktop.app.export import Options, PhiFound
from desktop.app.package import MANIFEST, make_package
from desktop.cli import main
from desktop.demo import load_demo
from desktop.model import Consent, Figure
from helpers import small_jpeg


def complete_demo():
    """The demo case (Smilnak et al. 2022) with what a submission needs and the article does not give
    us recorded synthetically: consent, declarations, contributions, and one synthetic photograph."""
    c = load_demo()
    m = c.manuscript
    m.ethics = m.data_availability = m.funding = m.acknowledgements = "Not applicable."
    m.competing_interests = "The authors declare that they have no competing interests."
    m.references = ["Smilnak GJ, et al. J Med Case Rep. 2022;16:18."]
    c.consent = Consent(given_by="next_of_kin", covers_images=True)
    for a in c.authors:
        a.contribution = "wrote the manuscript"
    c.figures = [Figure(id="img1", data=small_jpeg(size=(1800, 1200)), caption="Necrotic ulcer of the glans")]
    return c


def pdf_text_pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]


def outline_pages(path: Path) -> dict[str, int]:
    r = pypdf.PdfReader(str(path))
    out: dict[str, int] = {}

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                out.setdefault(it.title.lower(), r.get_destination_page_number(it) + 1)
    walk(r.outline)
    return out


@pytest.fixture(scope="module")
def jmcr_package(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "jmcr"
    result = make_package(complete_demo(), out, Options(journal="jmcr", allow_phi=True))
    return out, result


def test_every_file_opens_and_the_manifest_hashes_match(jmcr_package):
    out, result = jmcr_package
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    listed = {f["name"]: f for f in manifest["files"]}
    on_disk = {p.name for p in out.iterdir()} - {MANIFEST}
    assert on_disk == set(listed)
    for name, f in listed.items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"], name
    assert {"manuscript.pdf", "manuscript.docx", "figure-legends.txt", "care-checklist.pdf",
            "consent-statement.txt", "cover-letter-draft.txt"} <= set(listed)
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["case"]["data_hash"]) and manifest["case"]["parts"]
    assert manifest["journal"]["id"] == "jmcr" and manifest["revision_of"] is None
    # the manuscript in both formats, with the title of the seed article
    title = "Calciphylaxis of the penis and distal digits"
    assert title in pdf_text_pages(out / "manuscript.pdf")[0]
    d = docx.Document(str(out / "manuscript.docx"))
    assert any(title in p.text for p in d.paragraphs)
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"][:5] == \
        ["Abstract", "Background", "Case presentation", "Discussion", "Conclusions"]


def test_figures_are_separate_files_at_300_dpi_in_a_format_the_journal_takes(jmcr_package):
    out, result = jmcr_package
    figs = sorted(out.glob("figure-[0-9]*.*"), key=lambda p: int(re.search(r"\d+", p.stem).group()))
    # BMC's figure guidelines (the jmcr profile's source) take TIFF among other formats; TIFF comes first
    assert figs and all(p.suffix == ".tif" for p in figs)
    pdf_text = "\n".join(pdf_text_pages(out / "manuscript.pdf"))
    legends = (out / "figure-legends.txt").read_text("utf-8")
    for i, p in enumerate(figs, 1):
        assert p.name == f"figure-{i}.tif"
        with Image.open(p) as im:
            assert im.format == "TIFF"
            assert min(round(v) for v in im.info["dpi"]) >= 300
            im.load()
        assert f"Figure {i} ({p.name})." in legends
        assert re.search(rf"Fig(ure|\.)\s*{i}\b", pdf_text)  # the manuscript has a figure of that number
    photo = [p for p in figs if "Necrotic ulcer of the glans" in legends.split(f"({p.name}).")[1].split("\n")[0]]
    with Image.open(photo[0]) as im:
        assert im.size == (1800, 1200)  # the photograph at its full pixel size, not the report's copy


def test_the_checklist_pages_are_the_manuscript_pages(jmcr_package):
    out, _ = jmcr_package
    pages = pdf_text_pages(out / "manuscript.pdf")
    outline = outline_pages(out / "manuscript.pdf")
    rows = []
    for line in "\n".join(pdf_text_pages(out / "care-checklist.pdf")).splitlines():
        m = re.fullmatch(r"(.+?) (\d+)", line.strip())
        if m and m.group(1).lower() in outline:
            rows.append((m.group(1), int(m.group(2))))
    assert len({s for s, _ in rows}) >= 6, rows  # background, patient information, clinical findings...
    for section, page in rows:
        assert outline[section.lower()] == page, (section, page)
        assert section.lower() in pages[page - 1].lower(), (section, page)


def test_consent_and_cover_letter_say_only_what_the_case_records(jmcr_package):
    out, _ = jmcr_package
    case = complete_demo()
    consent = (out / "consent-statement.txt").read_text("utf-8")
    assert "next of kin" in consent and "covers images" in consent
    letter = (out / "cover-letter-draft.txt").read_text("utf-8")
    last_intro = [p for p in case.manuscript.introduction.split("\n") if p.strip()][-1].strip()
    assert case.title in letter and "Journal of Medical Case Reports" in letter
    assert last_intro[:80] in letter  # what is new, in the authors' own words
    assert "The authors declare that they have no competing interests." in letter
    assert "Funding: Not applicable." in letter


def test_a_revised_package_lists_what_changed(tmp_path, jmcr_package, capsys):
    first, _ = jmcr_package
    case = complete_demo()
    case.manuscript.discussion += "\n\nA further paragraph added in revision."
    path = tmp_path / "revised.json"
    path.write_bytes(jsonio.dump_bytes(case))
    assert main(["package", str(path), "-o", str(tmp_path / "rev"), "--since", str(first),
                 "--allow-phi-warnings"]) == 0
    printed = capsys.readouterr().out
    assert "1 part of the case changed: manuscript.discussion" in printed
    manifest = json.loads((tmp_path / "rev" / MANIFEST).read_text("utf-8"))
    assert manifest["revision_of"]["changed_parts"] == ["manuscript.discussion"]
    assert "manuscript.pdf" in manifest["revision_of"]["changed_files"]
    # made again into the same folder: compared with what is there, and nothing changed
    again = make_package(case, tmp_path / "rev", Options(journal="jmcr", allow_phi=True))
    assert again.previous is not None and again.changed_parts == []
    assert main(["package", str(path), "-o", str(tmp_path / "x"), "--since", str(tmp_path / "nothing-here")]) == 3


def test_identifiers_are_refused_or_redacted_through_the_one_pipeline(tmp_path, capsys):
    case = complete_demo()
    case.manuscript.discussion += "\n\nHis daughter can be reached on (503) 555-0142."
    path = tmp_path / "phi.json"
    path.write_bytes(jsonio.dump_bytes(case))
    assert main(["package", str(path), "-o", str(tmp_path / "p")]) == 3
    assert "555-0142" in capsys.readouterr().err and not (tmp_path / "p").exists()
    with pytest.raises(PhiFound):
        make_package(case, tmp_path / "q", Options(journal="jmcr"))
    assert main(["package", str(path), "-o", str(tmp_path / "r"), "--redact-phi"]) == 0
    for name in ("manuscript.pdf", "care-checklist.pdf"):
        assert "555-0142" not in "".join(pdf_text_pages(tmp_path / "r" / name))
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "r" / "manuscript.docx")).paragraphs)
    assert "555-0142" not in text and "555-0142" not in (tmp_path / "r" / "cover-letter-draft.txt").read_text("utf-8")


def test_no_consent_no_package(tmp_path, capsys):
    path = tmp_path / "demo.json"
    path.write_bytes(jsonio.dump_bytes(load_demo()))  # the article's consent statement is not in our text
    assert main(["package", str(path), "-o", str(tmp_path / "p"), "--allow-phi-warnings"]) == 3
    assert "consent" in capsys.readouterr().err.lower() and not (tmp_path / "p").exists()


def test_bmj_case_reports_package_is_anonymised_and_the_author_told(tmp_path, capsys):
    """BMJ Case Reports (template and "How to write a case report"): ages as decades, no calendar dates,
    no place or institution names. The seed article says "A 73-year-old African American man"."""
    case = complete_demo()
    case.title = "Calciphylaxis of the penis and distal digits"  # BMJ: no "case report" in the title
    case.manuscript.discussion += ("\n\nHe had been treated at Saint Elsewhere Hospital in March 2019 and "
                                   "was aged 72 years at his first dialysis in 2018.")
    path = tmp_path / "bmj.json"
    path.write_bytes(jsonio.dump_bytes(case))
    assert main(["package", str(path), "-o", str(tmp_path / "b"), "--journal", "bmj-case-reports",
                 "--allow-phi-warnings"]) == 0
    printed = capsys.readouterr().out
    assert "anonymised for the journal" in printed and "'A 73-year-old African American man' → " \
        "'An African American man in his 70s'" in printed
    out = tmp_path / "b"
    text = "\n".join(p.text for p in docx.Document(str(out / "manuscript.docx")).paragraphs) + "\n".join(
        cell.text for t in docx.Document(str(out / "manuscript.docx")).tables for row in t.rows for cell in row.cells)
    pdf = "\n".join(pdf_text_pages(out / "manuscript.pdf"))
    for body in (text, pdf):
        assert "73-year-old" not in body and "73 years" not in body and "in his 70s" in body
        assert "Saint Elsewhere Hospital" not in body and "[institution]" in body
        # the patient's calendar dates go; "a 2019 meta-analysis" (the article's, about the literature) stays
        assert "March 2019" not in body and "dialysis in 2018" not in body and "[date removed]" in body
    # BMJ's checklist copy lists TIFF first
    assert all(p.suffix == ".tif" for p in out.glob("figure-[0-9]*"))
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert any("no place or institution names" in a for a in manifest["anonymisation"])
    assert not any("title" in w.lower() for w in manifest["warnings"])  # the title meets BMJ's soft rule
    # nor do the writers add ": a case report" (CARE item 1) to a title BMJ wants without it
    titles = [p.text for p in docx.Document(str(out / "manuscript.docx")).paragraphs if p.style.name == "Title"]
    assert titles == ["Calciphylaxis of the penis and distal digits"]


def test_soft_rules_the_manuscript_breaks_are_noted_in_the_package(tmp_path):
    """BMJ Case Reports' template: no "case report" in the title (a soft rule: the package is made,
    and the note says why the title may be sent back)."""
    result = make_package(complete_demo(), tmp_path / "b", Options(journal="bmj-case-reports"))
    assert any("title contains 'a case report': not allowed" in w for w in result.warnings), result.warnings


def test_a_photo_over_the_journals_file_limit_is_written_in_its_next_format(tmp_path):
    """BMC: "Individual figure files should not exceed 10 MB" (the jmcr profile's max_file_mb); a
    12-megapixel photograph (synthetic) over it as TIFF is written as JPEG, which BMC also takes, and
    the author is told."""
    w, h = 4000, 3000
    noise = Image.effect_noise((w, h), 10)
    img = Image.merge("RGB", (noise, Image.linear_gradient("L").resize((w, h)), Image.eval(noise, lambda v: 255 - v)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    case = complete_demo()
    case.figures = [Figure(id="big", data=buf.getvalue(), caption="Synthetic large photograph")]
    result = make_package(case, tmp_path / "p", Options(journal="jmcr"))
    photo = next(f for f in result.files if "4000 × 3000" in f["what"])
    assert photo["name"].endswith(".jpg") and photo["bytes"] <= 10_000_000
    with Image.open(tmp_path / "p" / photo["name"]) as im:
        assert im.format == "JPEG" and im.size == (4000, 3000) and min(round(v) for v in im.info["dpi"]) >= 300
    assert any("as TIFF it was over the 10 MB" in w for w in result.warnings)
