"""Run as a subprocess by the crash tests: make edits to a library as fast as it can and print
"ack <n>" after each one returns (that is, after it is committed). The parent kills it with SIGKILL
at a random moment and then checks that every acknowledged edit is in the library."""
import sys

from desktop.model import LabResult, When
from desktop.store.library import open_library


def main(path: str, case_id: str, n: int) -> None:
    lib = open_library(path)
    out = sys.stdout
    for i in range(n):
        kind = i % 3
        if kind == 0:
            lib.save_item(case_id, "labs", LabResult(id=f"k{i}", analyte="calcium", value=8.0 + (i % 20) / 10,
                                                     unit="mg/dL", when=When(offset=float(i))))
        elif kind == 1:
            lib.set_case_fields(case_id, title=f"edit {i}")
        else:
            case_part = lib.load_case(case_id, figures=False).manuscript
            case_part.discussion = f"discussion after edit {i} " + "x" * (i % 50)
            lib.save_single(case_id, "manuscript", case_part)
        out.write(f"ack {i}\n")
        out.flush()
    lib.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
