"""Synthetic test images for the face check (issue 13): drawn faces and clinical-looking photos
without a face. Drawn here, never copied from anywhere; which of them OpenCV's own detector calls a
face is what tests/test_faces.py takes as the expected answer."""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def drawn_face(size: int = 200, background: int = 200) -> Image.Image:
    """A frontal face as a child would draw it, shaded: hair, skin, brows, eyes, nose shadow, mouth."""
    im = Image.new("L", (size, size), background)
    d = ImageDraw.Draw(im)
    s = size / 200

    def oval(x0, y0, x1, y1, fill):
        d.ellipse([x0 * s, y0 * s, x1 * s, y1 * s], fill=fill)

    oval(30, 10, 170, 190, 60)  # hair
    oval(45, 35, 155, 185, 170)  # skin
    oval(60, 70, 92, 84, 50)
    oval(108, 70, 140, 84, 50)  # eyes
    d.rectangle([58 * s, 58 * s, 94 * s, 63 * s], fill=70)
    d.rectangle([106 * s, 58 * s, 142 * s, 63 * s], fill=70)  # brows
    oval(92, 100, 108, 128, 150)  # nose shadow
    oval(75, 140, 125, 155, 80)  # mouth
    return im.filter(ImageFilter.GaussianBlur(3 * s))


def photo_with_face(canvas=(400, 300), face=200, at=(100, 50), tint=(1.0, 0.8, 0.7)) -> Image.Image:
    """An RGB 'photo': a face pasted on a plain background, skin-tinted."""
    grey = Image.new("L", canvas, 120)
    grey.paste(drawn_face(face), at)
    r, g, b = (grey.point(lambda v, k=k: int(v * k)) for k in tint)
    return Image.merge("RGB", (r, g, b))


def leg_with_lesion(seed: int = 0) -> Image.Image:
    """A clinical-looking photo with no face: a limb with livedo rings and a black eschar."""
    rnd = random.Random(seed)
    im = Image.new("RGB", (600, 400), (90, 110, 130))
    d = ImageDraw.Draw(im)
    d.polygon([(0, 120), (600, 90), (600, 330), (0, 300)], fill=(214, 170, 140))
    for _ in range(40):
        x, y, r = rnd.randint(50, 550), rnd.randint(120, 300), rnd.randint(5, 25)
        d.ellipse([x - r, y - r, x + r, y + r], outline=(150, 80, 110), width=3)
    d.ellipse([250, 170, 340, 240], fill=(40, 25, 20))
    d.ellipse([240, 160, 350, 250], outline=(170, 40, 50), width=8)
    return im.filter(ImageFilter.GaussianBlur(2))


def noise(seed: int = 0, size=(300, 200)) -> Image.Image:
    rnd = random.Random(seed)
    return Image.frombytes("L", size, bytes(rnd.randrange(256) for _ in range(size[0] * size[1])))


def jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()
