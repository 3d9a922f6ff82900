"""Static files: fingerprinted URLs cached for good, and compressed responses (Flask-Compress).

``url_for("static", filename=...)`` adds ``?v=<fingerprint>``, the first 12 hex digits of the SHA-256 of the file's
content. A request carrying the file's current fingerprint is answered with ``Cache-Control: public,
max-age=31536000, immutable``: a browser keeps the file a year and never asks again, and a new version of the file
has a new URL (the page that links it changes with it). Without a fingerprint, or with an old one, the file is
answered as before (revalidated each time), so a page rendered before a deploy still works.

Fingerprints are computed once per file and process, and again when the file's size or modification time changes
(development edits).

Compression (Flask-Compress, in ``create_app``): HTML, CSS, JavaScript, SVG and JSON responses are sent with
Brotli or gzip when the client accepts it. Static files are read whole (they are a few KB) so that they can be
compressed; streamed responses (exports) are never compressed here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

FINGERPRINT_ARG = "v"
ONE_YEAR = 365 * 24 * 3600

# path -> (modification time in ns, size, fingerprint)
_fingerprints: dict[str, tuple[int, int, str]] = {}


def fingerprint(folder: str | os.PathLike | None, filename: str) -> str | None:
    """The fingerprint of ``folder/filename``, or None when there is no such file."""
    path = safe_join(os.fspath(folder), filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _fingerprints.get(path)
    if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    _fingerprints[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def register(app: Flask) -> None:
    """Fingerprinted static URLs and their caching. Call after Flask-Compress's ``init_app`` (``after_request``
    functions run in the reverse order: this one must see the static response before it is compressed)."""

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and FINGERPRINT_ARG not in values and "filename" in values:
            version = fingerprint(app.static_folder, values["filename"])
            if version is not None:
                values[FINGERPRINT_ARG] = version

    @app.after_request
    def cache_static_files(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        version = request.args.get(FINGERPRINT_ARG)
        if version and version == fingerprint(app.static_folder, (request.view_args or {}).get("filename", "")):
            cache = response.cache_control
            cache.no_cache = None
            cache.public = True
            cache.max_age = ONE_YEAR
            cache.immutable = True
        if response.direct_passthrough and request.method == "GET":
            # send_file streams the file; reading it (a few KB) and closing it at once lets the compressor handle
            # it like a page.
            stream = response.response
            try:
                body = b"".join(stream)
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
            response.direct_passthrough = False
            response.set_data(body)
        return response
