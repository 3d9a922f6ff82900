"""QR codes of public links (segno): SVG for print, PNG for documents and slides."""

import io

import segno


def qr_svg(url: str, title: str = "") -> bytes:
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=8, border=4, title=title or url, svgclass="qr", lineclass=None)
    return buffer.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=max(1, min(scale, 40)), border=4)
    return buffer.getvalue()
