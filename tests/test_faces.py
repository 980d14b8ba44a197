"""Issue 13: a photo that may show a face is flagged on the way in, and leaves only with the author's
confirmed consent for that image. The expected answers come from OpenCV's own CascadeClassifier run
on the same pixels with the same cascade file (the package that ships the model also ships it)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop import jsonio
from desktop.privacy import faces
from face_images import drawn_face, jpeg, leg_with_lesion, noise, photo_with_face, png

ROOT = Path(__file__).resolve().parent.parent
cv2 = pytest.importorskip("cv2")  # the reference implementation; opencv-python-headless is a dependency
np = pytest.importorskip("numpy")


def opencv_faces(im: Image.Image) -> list:
    cc = cv2.CascadeClassifier(str(faces.cascade_path()))
    grey = np.array(im.convert("L"))
    return [tuple(map(int, r)) for r in cc.detectMultiScale(grey, faces.SCALE_STEP, faces.MIN_NEIGHBOURS)]


def overlap(a, b) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


FACES = {
    "centred grey": photo_with_face(tint=(1, 1, 1)),
    "skin-tinted": photo_with_face(),
    "small, off-centre": photo_with_face(canvas=(640, 480), face=110, at=(420, 40)),
    "large, portrait": photo_with_face(canvas=(300, 400), face=280, at=(10, 60)),
}
NOT_FACES = {
    "leg with eschar 0": leg_with_lesion(0),
    "leg with eschar 1": leg_with_lesion(1),
    "noise": noise(0),
    "flat grey": Image.new("L", (300, 200), 128),
}


@pytest.mark.parametrize("name", list(FACES))
def test_a_face_is_found_where_opencv_finds_it(name):
    im = FACES[name]
    ref = opencv_faces(im)
    assert len(ref) == 1, f"the synthetic face {name!r} is not a face to OpenCV either: {ref}"
    ours = faces.find_faces(im)
    assert len(ours) == 1, ours
    assert overlap(ours[0], ref[0]) > 0.7, (ours, ref)


@pytest.mark.parametrize("name", list(NOT_FACES))
def test_photos_without_a_face_are_not_flagged(name):
    im = NOT_FACES[name]
    assert opencv_faces(im) == []  # the reference agrees there is nothing
    assert faces.find_faces(im) == []
    assert faces.may_show_face(jpeg(im)) is False


@pytest.mark.parametrize("name", list(FACES) + list(NOT_FACES))
def test_the_quick_yes_or_no_is_the_answer_of_the_full_search(name):
    """may_show_face stops at the first certain face (largest windows first): the same answer."""
    im = {**FACES, **NOT_FACES}[name]
    assert faces.shows_face(im) is bool(faces.find_faces(im)) is (name in FACES)


def test_may_show_face_reads_jpeg_and_png_bytes_and_ignores_non_images():
    assert faces.may_show_face(jpeg(photo_with_face())) is True
    assert faces.may_show_face(png(photo_with_face(tint=(1, 1, 1)))) is True
    # a large camera-sized photo is examined at a reduced size: the face is still found
    big = photo_with_face(canvas=(4000, 3000), face=1200, at=(1400, 900)).resize((4000, 3000))
    assert faces.may_show_face(jpeg(big)) is True
    assert faces.may_show_face(b"not an image") is False


def test_the_cascade_comes_from_the_installed_package_not_the_repository():
    path = faces.cascade_path()
    assert path.name == faces.CASCADE and "cv2" in path.parts
    # never copied into the repository (the virtual environment beside it holds the package's own)
    assert not [f for top in ("desktop", "resources", "tests") for f in (ROOT / top).glob("**/haarcascade*.xml")]
    c = faces.load_cascade()
    assert (c.width, c.height) == (20, 20) and len(c.stages) == 22  # the alt cascade: 22 stages


def test_a_file_that_is_not_a_haar_cascade_is_refused_with_the_reason(tmp_path):
    bad = tmp_path / "x.xml"
    bad.write_text("<opencv_storage><cascade><featureType>LBP</featureType></cascade></opencv_storage>")
    with pytest.raises(faces.FaceDetectorUnavailable, match="not an OpenCV Haar cascade"):
        faces.load_cascade(bad)


def test_without_the_model_every_photo_counts_as_possibly_a_face(tmp_path):
    """A broken install (cv2 without its data folder) must not let a face out unchecked."""
    shadow = tmp_path / "shadow" / "cv2"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("")
    img = tmp_path / "leg.jpg"
    img.write_bytes(jpeg(leg_with_lesion(0)))
    code = ("import sys; from desktop.privacy import faces; "
            f"print(faces.may_show_face(open({str(img)!r}, 'rb').read()))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr


def _case_with(figure_bytes: bytes, **flags):
    from helpers import full_case
    from desktop.model import Figure
    case = full_case()
    case.figures = [Figure(id="img1", data=figure_bytes, caption="Portrait at admission", **flags)]
    return case


def test_a_json_import_flags_a_face_even_when_the_file_says_otherwise():
    case = _case_with(jpeg(photo_with_face()), may_show_face=False)
    back = jsonio.loads(jsonio.dump_bytes(case))
    assert back.figures[0].may_show_face is True and back.figures[0].consent_covers_image is False
    leg = jsonio.loads(jsonio.dump_bytes(_case_with(jpeg(leg_with_lesion(2)))))
    assert leg.figures[0].may_show_face is False
    confirmed = jsonio.loads(jsonio.dump_bytes(_case_with(jpeg(photo_with_face()), consent_covers_image=True)))
    assert confirmed.figures[0].consent_covers_image is True  # the author's decision travels with the file


def test_an_older_file_without_the_new_fields_still_reads():
    """A new optional field with a default: no document version bump, old files read as before."""
    import json
    case = _case_with(jpeg(leg_with_lesion(3)))
    doc = json.loads(jsonio.dump_bytes(case))
    for f in doc["figures"]:
        del f["may_show_face"], f["consent_covers_image"]
    back = jsonio.loads(json.dumps(doc).encode())
    assert back.figures[0].consent_covers_image is False and back.figures[0].may_show_face is False


def _ready_case(figure_bytes: bytes, **flags):
    """A case a final manuscript can be made from (consent and every required part recorded)."""
    case = _case_with(figure_bytes, **flags)
    m = case.manuscript
    m.ethics = m.data_availability = m.funding = m.acknowledgements = "Not applicable."
    m.competing_interests = "The authors declare that they have no competing interests."
    m.abstract_background = m.abstract_case = m.abstract_conclusions = m.conclusions = "Recorded."
    m.references = ["Smilnak GJ, et al. J Med Case Rep. 2022;16:18."]
    return case


def test_a_final_export_with_an_unconfirmed_face_is_refused_listing_it_and_a_draft_shows_a_placeholder(
        tmp_path, capsys):
    from pypdf import PdfReader
    from desktop.cli import main
    path = tmp_path / "case.json"
    path.write_bytes(jsonio.dump_bytes(_ready_case(jpeg(photo_with_face()))))
    for command, out in (("report", "m.pdf"), ("export-docx", "m.docx")):
        code = main([command, str(path), "-o", str(tmp_path / out), "--allow-phi-warnings"])
        err = capsys.readouterr().err
        assert code == 3, err
        assert "may show a face" in err and "image 1 (Portrait at admission)" in err, err
        assert not (tmp_path / out).exists()
    # the de-identified data exports carry the image too: refused the same way; the author's own
    # identified copy is not
    code = main(["export-json", str(path), "--deidentified", "-o", str(tmp_path / "d.json"), "--allow-phi-warnings"])
    assert code == 3 and "may show a face" in capsys.readouterr().err
    assert main(["export-fhir", str(path), "-o", str(tmp_path / "f.json"), "--allow-phi-warnings"]) == 3
    assert "may show a face" in capsys.readouterr().err
    assert main(["export-json", str(path), "-o", str(tmp_path / "own.json")]) == 0
    # a draft: a visible placeholder, and the image is not in the PDF
    assert main(["report", str(path), "-o", str(tmp_path / "d.pdf"), "--draft", "--allow-phi-warnings"]) == 0
    reader = PdfReader(str(tmp_path / "d.pdf"))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "[to do: the image “Portrait at admission” may show a face" in text, text[:2000]
    assert "Portrait at admission (" not in text  # no figure caption: the photo is left out
    # confirmed by the author: the final manuscript is made, with the photo
    path.write_bytes(jsonio.dump_bytes(_ready_case(jpeg(photo_with_face()), consent_covers_image=True)))
    assert main(["report", str(path), "-o", str(tmp_path / "ok.pdf"), "--allow-phi-warnings"]) == 0, \
        capsys.readouterr().err
    ok = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(tmp_path / "ok.pdf")).pages)
    assert "Portrait at admission" in ok and "may show a face" not in ok


def test_a_photo_without_a_face_needs_no_confirmation(tmp_path, capsys):
    from desktop.cli import main
    path = tmp_path / "case.json"
    path.write_bytes(jsonio.dump_bytes(_ready_case(jpeg(leg_with_lesion(0)))))
    assert main(["report", str(path), "-o", str(tmp_path / "m.pdf"), "--allow-phi-warnings"]) == 0, \
        capsys.readouterr().err
