"""What every picture Flywheel draws shares: matplotlib without pyplot's global state (a
``Figure`` per request, safe in worker threads), text kept as text in SVG and never
read as mathtext, stable ids in the SVG, and the two formats it is served in."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib (about 50 MB) loads with the first picture, not at start
    from matplotlib.figure import Figure

SVG = "image/svg+xml"
PNG = "image/png"
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "flywheel",
    "text.parse_math": False,
}


@contextmanager
def plotting() -> Iterator[None]:
    """The settings every figure is drawn under."""
    import matplotlib

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def svg_bytes(figure: Figure) -> bytes:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    out = io.BytesIO()
    FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None})
    return out.getvalue()


def png_bytes(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out, metadata={"Software": "Flywheel"})
    return out.getvalue()
