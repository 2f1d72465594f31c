"""cohort report --html: one self-contained page, checked in a real headless browser (Debian's chromium driven
by Playwright): no console error, no request leaves the file, the SVG charts render, and learner-controlled
text (names, branch names, test names) is shown as text, never run."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from testing.cohort_kit import predictions_csv, sha_of, store_commit, write_cohort
from testing.common import run_cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
EVIL_NAME = "<script>window.__pwned = 'name'</script>Mallory"
EVIL_BRANCH = "<img src=x onerror=\"window.__pwned='branch'\">"
EVIL_TEST = "tests/test_x.py::<script>window.__pwned='test'</script>"


def dashboard(tmp_path: Path) -> tuple[Path, str]:
    logins = [f"l{i:02d}" for i in range(12)] + ["mallory"]
    f = write_cohort(tmp_path, logins, deliverables=("churn", "churn2"), names={"mallory": EVIL_NAME})
    s = tmp_path / "cohort"
    for i, lg in enumerate(logins[:10]):
        at = "2027-01-20T00:00:00Z" if i % 3 else "2027-01-26T00:00:00Z"
        store_commit(s, "churn", lg, sha_of(lg), predictions_csv(i, i), created_at=at, run_id=i + 1)
        if i < 6:
            store_commit(s, "churn2", lg, sha_of(lg, 2), predictions_csv(2 * i, i), created_at=at, run_id=50 + i)
    tests = {"status": "failed", "cases": [{"id": EVIL_TEST, "outcome": "failed"}]}
    store_commit(s, "churn", "mallory", sha_of("m"), predictions_csv(1, 1), created_at="2027-01-26T00:00:00Z",
                 run_id=99, extra={"ref": EVIL_BRANCH, "tests": tests})
    store_commit(s, "churn2", "l11", sha_of("copy"), predictions_csv(2, 1), created_at="2027-01-20T00:00:00Z",
                 run_id=98)  # the same file as l01's
    (s / "churn2" / "<b>foreign<b>.txt").write_text("x")
    out = tmp_path / "report" / "cohort.html"
    r = run_cli("cohort", "report", "-c", str(f), "--html", str(out), "--now", "2027-04-01T00:00:00Z")
    # the page is written, and the problems grade found are named on stderr too (exit 1), as by grade
    assert r.returncode == 1 and f"{s / 'churn2' / '<b>foreign<b>.txt'}: -: a foreign file in the cohort folder" \
        in r.stderr, r.stderr
    return out, out.read_text(encoding="utf-8")


def test_the_page_is_self_contained_and_escapes_learner_text(tmp_path):
    out, page = dashboard(tmp_path)
    assert "<script" not in page.replace("&lt;script", "")  # no script of ours, none of theirs
    for needle in ("http://", "https://", "src=\"http", "@import", "url("):
        assert needle not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), needle
    assert "&lt;script&gt;window.__pwned = &#x27;name&#x27;&lt;/script&gt;Mallory" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=&#x27;branch&#x27;&quot;&gt;" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="hist"') == 2
    assert "identical files" in page and "l01" in page and "l11" in page
    assert "&lt;b&gt;foreign&lt;b&gt;.txt" in page


def test_the_page_in_headless_chromium(tmp_path):
    if not Path(CHROMIUM).is_file() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not at /usr/bin/chromium: `make browser` (part of `make test`) installs it "
                    "with apt where apt exists")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    out, _ = dashboard(tmp_path)
    console_errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: console_errors.append(str(exc)))
            page.on("request", lambda req: requests.append(req.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(out.as_uri())
            page.wait_for_load_state("load")
            assert console_errors == []
            assert requests == [out.as_uri()]  # the page itself, nothing else
            assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
            assert page.locator("script").count() == 0
            # learner text is there, as text
            assert page.get_by_text(EVIL_NAME).count() >= 1
            assert page.get_by_text(EVIL_BRANCH).count() >= 1
            assert page.get_by_text(EVIL_TEST).count() >= 1
            assert page.locator("img").count() == 0
            # the charts render: SVG bars with a size, one chart per deliverable, the rate bars
            assert page.locator("svg.hist").count() == 2
            bars = page.locator("svg.hist rect.bar")
            assert bars.count() == 20
            heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(bars.count())]
            assert sum(heights) > 0
            box = page.locator("svg.hist").first.bounding_box()
            assert box is not None and box["width"] >= 300 and box["height"] >= 150
            assert page.locator("svg.rates rect.submitted").count() == 2
            cells = page.locator("table.hm td.passed, table.hm td.late, table.hm td.failed")
            assert cells.count() >= 10
            shot = page.screenshot(full_page=True)
        finally:
            browser.close()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", shot[16:24])
    assert width == 1280 and height > 900  # the whole page: longer than one screen
    assert len(shot) > 20_000  # not a blank page
