"""`shoko review`: a local web page to check every value against its page and correct it.

Flask renders the pages on the server (Jinja templates next to this file); a little
JavaScript (static/review.js, no build step) links values and boxes and saves
corrections. waitress serves it (a maintained, pure-Python WSGI server).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, jsonify, render_template, request, send_file, url_for

from pipeline.confidence import LOW
from pipeline.corrections import CorrectionError
from pipeline.review.data import PAGE_SIZE, TABLE_VIEWS, DatabaseUnavailable, ReviewDatabase
from pipeline.review.pages import PageRenderer, SourceUnavailable

PDF_SUFFIX = ".pdf"
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")


def create_app(db_path: Path, cache_dir: Path | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False
    database = ReviewDatabase(db_path)
    renderer = PageRenderer(cache_dir)
    app.config["SHOKO_DB"] = database
    app.add_template_filter(_cell, "cell")
    app.config["SHOKO_STARTUP_PROBLEM"] = database.migrate()

    @app.before_request
    def same_origin_only():
        # The page writes corrections: another web site open in the browser must not be
        # able to post them (an Origin of its own) or to reach us under a name of its own
        # (DNS rebinding: a Host that is not this server's).
        if app.config.get("SHOKO_LOCAL_ONLY") and (request.host.rsplit(":", 1)[0].strip("[]")
                                                   not in LOCAL_NAMES):
            abort(403)
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin and urlsplit(origin).netloc != request.host:
            abort(403)

    @app.errorhandler(DatabaseUnavailable)
    def unavailable(exc):
        if request.path.startswith("/api/"):
            return jsonify(error=str(exc)), 503
        return render_template("unavailable.html", message=str(exc), db=str(db_path)), 503

    @app.errorhandler(CorrectionError)
    def bad_correction(exc):
        return jsonify(error=str(exc)), 400

    @app.get("/")
    def documents():
        args = request.args
        page = max(1, args.get("page", 1, type=int))
        rows, total, choices = database.documents(
            status=args.get("status", ""), kind=args.get("kind", ""), q=args.get("q", "").strip(),
            needs_review=bool(args.get("needs_review")), order=args.get("order", "review"), page=page)
        def page_url(n: int) -> str:
            return url_for("documents", **{**args.to_dict(), "page": n})

        return render_template("documents.html", rows=rows, total=total, page=page, page_url=page_url,
                               pages=max(1, math.ceil(total / PAGE_SIZE)), choices=choices, args=args,
                               db=str(db_path), low=LOW)

    @app.get("/doc/<doc_id>")
    def document(doc_id: str):
        found = database.document(doc_id)
        if found is None:
            abort(404)
        doc = found["document"]
        pages, source_problem = [], None
        if _is_pdf(doc["source_path"]):
            try:
                path = renderer.check_source(doc_id, doc["source_path"], doc["file_size"], doc["file_mtime"])
                pages = renderer.page_sizes(doc_id, path)
            except SourceUnavailable as exc:
                source_problem = str(exc)
            except Exception as exc:  # not a PDF pymupdf opens: show the values without pages
                source_problem = f"cannot show the pages of {doc['source_path']}: {exc}"
        boxes = {}
        for values in found["tables"].values():
            for v in values:
                if v.page and v.bbox and v.page <= len(pages):
                    boxes.setdefault(v.page, []).append(v)
        return render_template("document.html", doc=doc, findings=found["findings"], tables=found["tables"],
                               views=TABLE_VIEWS, pages=pages, boxes=boxes, source_problem=source_problem,
                               low=LOW, db=str(db_path))

    @app.get("/doc/<doc_id>/page/<int:page_no>.png")
    def page_image(doc_id: str, page_no: int):
        source = database.source_of(doc_id)
        if source is None:
            abort(404)
        try:
            path = renderer.check_source(doc_id, *source)
            image = renderer.render(doc_id, path, page_no, request.args.get("zoom", type=float))
        except SourceUnavailable:
            abort(410)
        except IndexError:
            abort(404)
        response = send_file(image, mimetype="image/png", max_age=86400)
        return response

    @app.post("/api/corrections")
    def add_correction():
        body = request.get_json(silent=True)  # application/json only: no cross-site simple POST
        if not isinstance(body, dict):
            return jsonify(error="expected a JSON object (Content-Type: application/json)"), 415
        missing = [k for k in ("doc_id", "table", "key", "column") if k not in body]
        if missing:
            return jsonify(error=f"missing {', '.join(missing)}"), 400
        value = body.get("value")
        value = None if value is None or str(value).strip() == "" else str(value).strip()
        key = {k: (None if v is None else v if isinstance(v, str) else _json_text(v)) for k, v in body["key"].items()}
        result = database.correct(body["doc_id"], body["table"], key, body["column"], value, body.get("note") or None)
        return jsonify(result)

    @app.post("/api/corrections/<int:correction_id>/undo")
    def undo_correction(correction_id: int):
        return jsonify(database.undo(correction_id))

    return app


def _cell(value) -> str:
    """A value as the table shows it: 4.0 → 4, booleans as a tick, NULL empty."""
    if value is None or value is False:
        return ""
    if value is True:
        return "✓"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_pdf(path: str) -> bool:
    """By content, as the ingest decides (a PDF named .xlsx is a PDF); False when gone."""
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return Path(path).suffix.lower() == PDF_SUFFIX  # gone: say so on the page


def _json_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8765, cache_dir: str | None = None) -> int:
    """Serve the review until Ctrl-C."""
    from waitress import create_server

    if not Path(db_path).exists():
        raise FileNotFoundError(f"no database at {db_path}: run `shoko ingest` first")
    app = create_app(Path(db_path), Path(cache_dir) if cache_dir else None)
    app.config["SHOKO_LOCAL_ONLY"] = host in LOCAL_NAMES
    problem = app.config["SHOKO_STARTUP_PROBLEM"]
    if problem:
        print(f"shoko review: {problem}", file=sys.stderr, flush=True)
    server = create_server(app, host=host, port=port, threads=4, ident="shoko")
    actual_port = server.effective_port
    if host not in LOCAL_NAMES:
        print(f"shoko review: listening on {host}: anyone who can reach this machine can correct values",
              file=sys.stderr, flush=True)
    print(f"shoko review: http://{host if ':' not in host else f'[{host}]'}:{actual_port}/ "
          f"({db_path}; Ctrl-C to stop)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
