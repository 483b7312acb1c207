"""HTML printed to PDF by Debian's headless Chromium: the second producer of the synthetic
generators (tests/synthetic_layouts, tests/synthetic_overviews). Not a product dependency;
`make layout-deps` installs Chromium and a CJK font."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# As root Chromium needs --no-sandbox; without the background-networking flags it keeps
# trying hosts this machine cannot reach.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--no-pdf-header-footer"]


def print_html(document: str, pdf: Path) -> Path:
    """Write `document` (a whole HTML page) as the PDF `pdf`, as Chromium prints it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: `make layout-deps` installs it (and fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(document, encoding="utf-8")
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}",
                        page.as_uri()], check=True, capture_output=True, timeout=180)
    return pdf
