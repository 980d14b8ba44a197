"""Word counts of the generated case presentation (issue 14: writing, not dumping). Prints figures,
asserts nothing.

    .venv/bin/python tests/benchmarks/bench_words.py [case.json ...]

For the demo (and any case files given), read back from the Word manuscript: the words of the
case presentation (from "Case presentation" to "Discussion", or to the next top-level part) in
running text, in table cells and in captions. The seed article's case presentation is about 420
words of text (/work/shared/seed/), its tables none.
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

import docx  # noqa: E402

from desktop import jsonio  # noqa: E402
from desktop.demo import load_demo  # noqa: E402
from desktop.interop.docx import write_docx  # noqa: E402

TOP = ("Discussion", "Conclusions", "Abbreviations", "Declarations", "References", "Appendix A: ")


def words(text: str) -> int:
    return len(re.findall(r"[\w−–.,/%×²³µ<>≤≥-]+", text))


def counts(case) -> dict[str, int]:
    buf = io.BytesIO()
    write_docx(case, buf, draft=True)
    d = docx.Document(io.BytesIO(buf.getvalue()))
    out = {"text": 0, "tables": 0, "captions": 0, "tables_n": 0}
    inside = False
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = docx.text.paragraph.Paragraph(el, d)
            if p.text.strip() == "Case presentation":
                inside = True
                continue
            if inside and p.style.name.startswith("Heading 1") and p.text.startswith(TOP):
                inside = False
            if inside and not p.style.name.startswith("Heading"):
                out["captions" if p.style.name == "Caption" else "text"] += words(p.text)
        elif tag == "tbl" and inside:
            t = docx.table.Table(el, d)
            out["tables_n"] += 1
            for r in t.rows:
                seen = set()
                for cell in r.cells:
                    if id(cell._tc) not in seen:  # a merged cell is listed once per column it spans
                        seen.add(id(cell._tc))
                        out["tables"] += words(cell.text)
    return out


def main(paths: list[str]) -> None:
    cases = [("demo", load_demo())] + [(Path(p).stem, jsonio.loads(Path(p).read_text("utf-8"))) for p in paths]
    print(f"{'case':40} {'text':>6} {'tables':>7} {'captions':>9} {'n tables':>9}")
    for name, case in cases:
        c = counts(case)
        print(f"{name:40} {c['text']:>6} {c['tables']:>7} {c['captions']:>9} {c['tables_n']:>9}")
    print("seed article's case presentation: about 420 words of text, no tables")


if __name__ == "__main__":
    main(sys.argv[1:])
