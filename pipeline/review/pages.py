"""Page images for the review, rendered on demand by pymupdf and cached on disk.

Images are keyed by doc_id (the file's sha256), page and zoom, so a cached image is
always of the very bytes that were extracted; the source file is checked against the
size and mtime the database recorded (and hashed once when they differ) before a page
of it is rendered.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

ZOOM = 1.5  # 108 dpi: sharp enough to read a table cell, ~150 kB a page
ZOOMS = (1.5, 3.0)  # the page's zoom control asks for the sharper one above 150 %


class SourceUnavailable(RuntimeError):
    """The document's file is gone or holds other bytes than were ingested."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shoko" / "pages"


class PageRenderer:
    def __init__(self, cache_dir: Path | None = None, zoom: float = ZOOM):
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.zoom = zoom
        self._verified: dict[tuple[str, str, int, float], bool] = {}
        self._sizes: dict[str, list[tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def check_source(self, doc_id: str, source_path: str, size: int | None, mtime: float | None) -> Path:
        path = Path(source_path)
        try:
            stat = path.stat()
        except OSError:
            raise SourceUnavailable(f"{source_path} is not there any more (moved or deleted since the ingest)") from None
        token = (doc_id, source_path, stat.st_size, stat.st_mtime)
        if token not in self._verified:
            same = stat.st_size == size and stat.st_mtime == mtime
            if not same:  # touched or copied: the bytes decide
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                same = digest.hexdigest() == doc_id
            self._verified[token] = same
        if not self._verified[token]:
            raise SourceUnavailable(f"{source_path} has changed since it was ingested: run `shoko ingest` on it")
        return path

    def page_sizes(self, doc_id: str, path: Path) -> list[tuple[float, float]]:
        """Width and height in PDF points of every page (the bbox coordinate space)."""
        if doc_id not in self._sizes:
            import pymupdf

            with pymupdf.open(path) as doc:
                self._sizes[doc_id] = [(page.rect.width, page.rect.height) for page in doc]
        return self._sizes[doc_id]

    def render(self, doc_id: str, path: Path, page_no: int, zoom: float | None = None) -> Path:
        """The PNG of a 1-based page (rendered once, then served from the cache)."""
        zoom = zoom if zoom in ZOOMS else self.zoom
        target = self.cache_dir / doc_id[:2] / doc_id / f"{page_no}@{zoom:g}.png"
        if target.exists():
            return target
        import pymupdf

        with self._lock:  # MuPDF contexts are not for concurrent use
            if target.exists():
                return target
            with pymupdf.open(path) as doc:
                if not 1 <= page_no <= doc.page_count:
                    raise IndexError(f"page {page_no} is not in {path.name} ({doc.page_count} pages)")
                pixmap = doc[page_no - 1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(f".{os.getpid()}.part")
                pixmap.save(str(partial), output="png")
                os.replace(partial, target)  # never a half-written image in the cache
        return target
