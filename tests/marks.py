"""Counting what a meeting pack's charts draw: marks in the HTML report's SVGs, and pixels in a
candidate's colour in the deck's pictures (never a file's size)."""

from __future__ import annotations

import re
from io import BytesIO

from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_SYMBOL = re.compile(r"<[^>]*role=\"graphics-symbol\"[^>]*>")
_ROLE = re.compile(r'aria-roledescription="([^"]*)"')


def data_marks(svg: str) -> int:
    """Bars, lines, points and rules drawn from data: symbols that are not axes, legends or the
    empty containers a chart without data still draws."""
    count = 0
    for element in _SYMBOL.findall(svg):
        role = _ROLE.search(element)
        name = role.group(1) if role else ""
        if name not in {"axis", "legend"} and not name.endswith("container"):
            count += 1
    return count


def html_marks(page: str) -> list[int]:
    return [data_marks(svg) for svg in _SVG.findall(page)]


def deck_pictures(data: bytes) -> list[bytes]:
    deck = Presentation(BytesIO(data))
    return [
        shape.image.blob
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]


def coloured_pixels(png: bytes, colours: set[tuple[int, int, int]]) -> int:
    """Pixels painted in a candidate's colour: the bars and lines, and the legend swatches."""
    image = Image.open(BytesIO(png)).convert("RGB")
    counts = image.getcolors(image.width * image.height) or []
    return sum(n for n, colour in counts if colour in colours)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))
