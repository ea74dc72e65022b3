"""Render the app icon's SVG drawings to every PNG, .ico and .icns the installers and the app use.

Run after editing an SVG in ``resources/icons/``; the outputs are committed, so builds need no
renderer. Qt's SVG renderer draws offscreen (no display), with Pillow (the ``packaging`` extra)
writing the .ico and .icns:

    .venv/bin/python packaging/render_icons.py

Sizes of 16 and 24 px come from their own pixel-fitted drawings, and 32 and 48 px from those same
drawings at twice the scale: shrinking the 512 px drawing blurs the page lines into grey mush.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402  (the packaging extra)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
PACKAGE_ICONS = ROOT / "readinglist" / "resources" / "icons"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# The window icon needs no more than this; 512 px would only grow the wheel.
PACKAGE_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def drawing_for(size: int) -> Path:
    """The SVG that draws the icon best at ``size`` pixels."""
    if size in (16, 32):
        return ICONS / "readinglist-16.svg"
    if size in (24, 48):
        return ICONS / "readinglist-24.svg"
    return ICONS / "readinglist.svg"


def render(svg: Path, size: int) -> bytes:
    """``svg`` drawn at ``size`` x ``size`` pixels, as PNG bytes with a transparent background."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG drawing")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    buffer.close()
    # Re-encoded by Pillow with optimize: a third smaller than Qt's PNG writer makes them.
    return _png_bytes(Image.open(io.BytesIO(bytes(data))))


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def outputs() -> dict[Path, bytes]:
    """Every generated file, keyed by where it belongs."""
    pngs = {size: render(drawing_for(size), size) for size in (*PNG_SIZES, 1024)}
    images = {size: Image.open(io.BytesIO(data)) for size, data in pngs.items()}
    files: dict[Path, bytes] = {}
    for size in PNG_SIZES:
        files[ICONS / "png" / f"readinglist-{size}.png"] = pngs[size]
    for size in PACKAGE_SIZES:
        files[PACKAGE_ICONS / f"readinglist-{size}.png"] = pngs[size]
    files[PACKAGE_ICONS / "readinglist.svg"] = (ICONS / "readinglist.svg").read_bytes()

    ico = io.BytesIO()
    largest = images[max(ICO_SIZES)]
    largest.save(
        ico,
        "ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES if size != max(ICO_SIZES)],
    )
    files[ICONS / "readinglist.ico"] = ico.getvalue()

    icns = io.BytesIO()
    images[1024].save(icns, "ICNS", append_images=[images[size] for size in ICNS_SIZES])
    files[ICONS / "readinglist.icns"] = icns.getvalue()
    return files


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    app = QGuiApplication.instance() or QGuiApplication([])  # QPainter on QImage wants one
    for path, data in outputs().items():
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
