"""QR codes of public links (segno): SVG for print, PNG for documents and slides."""

import io


def qr_svg(url: str, title: str = "") -> bytes:
    import segno  # imported by the pages that draw a code, not by every process start

    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=8, border=4, title=title or url, svgclass="qr", lineclass=None)
    return buffer.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    import segno

    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=max(1, min(scale, 40)), border=4)
    return buffer.getvalue()
