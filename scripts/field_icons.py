"""Draw the field app's home-screen icons (fpa/static/fpa/field/icon-192.png, icon-512.png).

The PNGs are committed; run this again only to change them. A house with a heart on the
platform's red, with a margin that keeps it whole under Android's maskable crop."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
RED = (176, 48, 58)
WHITE = (255, 255, 255)


def icon(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), RED)
    draw = ImageDraw.Draw(image)
    s = size / 100
    draw.polygon([(50 * s, 22 * s), (80 * s, 48 * s), (20 * s, 48 * s)], fill=WHITE)  # roof
    draw.rectangle([27 * s, 47 * s, 73 * s, 78 * s], fill=WHITE)  # walls
    # a heart on the wall
    draw.ellipse([39 * s, 52 * s, 51 * s, 64 * s], fill=RED)
    draw.ellipse([49 * s, 52 * s, 61 * s, 64 * s], fill=RED)
    draw.polygon([(39.6 * s, 60 * s), (60.4 * s, 60 * s), (50 * s, 72 * s)], fill=RED)
    return image


def main() -> None:
    for size in (192, 512):
        out = ROOT / "fpa" / "static" / "fpa" / "field" / f"icon-{size}.png"
        icon(size).save(out, optimize=True)
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
