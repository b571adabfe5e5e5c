"""The screen report in a real browser: headless Chromium driven over the DevTools protocol.

No browser-automation package is needed: Chromium is started with
``--remote-debugging-pipe`` and spoken to over two pipes (file descriptors 3
and 4, JSON messages ending in NUL), with the standard library only.

Chromium is Debian's ``chromium`` (/usr/bin/chromium).  When it is missing and
the tests run as root, the module fixture installs it once with apt-get (about a
minute); otherwise the tests are skipped with the reason.

The screenshots (the index at 1400×900, and the viewport at 1024×768 and 1400×1000, the
sizes a reviewer's screen has; a document page) are saved in the test's tmp dir and in
``out/screenshots/`` under the project root.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from summaryscan.coverage import coverage
from summaryscan.frameworks import load_framework
from summaryscan.pipeline import analyze_text
from summaryscan.records import Finding
from summaryscan.report.screen import ScreenReport

ROOT = Path(__file__).resolve().parents[1]
FW = load_framework("five-types")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--no-default-browser-check"]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


# --------------------------------------------------------------------------- #
# finding or installing Chromium
# --------------------------------------------------------------------------- #

def _find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def _install_chromium() -> str:
    """Install Debian's chromium when we may; '' on success, else why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "Chromium is not installed and the tests do not run as root (apt-get install chromium)"
    if not shutil.which("apt-get"):
        return "Chromium is not installed and apt-get is not available"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            return f"apt-get install chromium failed: {(r.stderr or r.stdout)[-400:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"apt-get install chromium failed: {exc}"
    return ""


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        why = _install_chromium()
        path = _find_chromium()
        if path is None:
            pytest.skip(why or "Chromium could not be installed")
    return path


# --------------------------------------------------------------------------- #
# a tiny DevTools client over --remote-debugging-pipe
# --------------------------------------------------------------------------- #

class CDPError(RuntimeError):
    pass


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands in) and 4 (replies out)."""

    def __init__(self, exe: str, profile: str):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds_3_and_4():   # runs in the child: put the pipe ends on fds 3 and 4
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([exe, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                                      "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=fds_3_and_4)
        os.close(to_child_r)
        os.close(from_child_w)
        self._next = 0
        self._replies: dict[int, dict] = {}
        self.events: "queue.Queue[dict]" = queue.Queue()
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self._cond:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()
                else:
                    self.events.put(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self._next += 1
        mid = self._next
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while mid not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise CDPError(f"no reply to {method}")
                self._cond.wait(min(left, 0.5))
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass


class Page:
    """One tab: navigation, JavaScript, mouse, screenshots, and the errors it logged."""

    def __init__(self, browser: Browser, width: int = 1400, height: int = 900):
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(method)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.loads = 0

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.b.send(method, params, self.session)

    def _drain(self, until: str | None = None, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if until is None:
                left = 0.05
            elif left <= 0:
                return False
            try:
                ev = self.b.events.get(timeout=max(0.01, left))
            except queue.Empty:
                if until is None:
                    return True
                continue
            if ev.get("sessionId") != self.session:
                continue
            method, p = ev.get("method"), ev.get("params", {})
            if method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                self.errors.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                self.errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                           for a in p.get("args", [])))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                self.errors.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif method == "Page.loadEventFired":
                self.loads += 1
            elif method == "Page.javascriptDialogOpening":
                self.dialogs.append(p.get("message", ""))
                self.send("Page.handleJavaScriptDialog", {"accept": True})
            if until is not None and method == until:
                return True

    def wait_load(self, before: int, timeout: float = 30) -> None:
        """Wait until a page load after the ``before``-th one has finished."""
        deadline = time.monotonic() + timeout
        while self.loads <= before:
            assert time.monotonic() < deadline, "the page did not load"
            self._drain("Page.loadEventFired", timeout=max(0.1, deadline - time.monotonic()))
        self.settle()

    def goto(self, url: str) -> None:
        before = self.loads
        self.send("Page.navigate", {"url": url})
        self.wait_load(before)

    def settle(self, seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._drain(None)

    def js(self, expression: str):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CDPError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (of its first line, for a wrapped link)."""
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                      " e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
                      " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params = {"type": kind, "x": x, "y": y}
            if kind != "mouseMoved":
                params.update(button="left", clickCount=1)
            self.send("Input.dispatchMouseEvent", params)
        self.settle(0.2)

    def type(self, selector: str, text: str) -> None:
        self.click(selector)
        self.send("Input.insertText", {"text": text})
        self.settle(0.2)

    def viewport_screenshot(self, *paths: Path) -> bytes:
        """What the window shows, as a reviewer sees it (no scrolling, no full-page capture)."""
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        for p in paths:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        return data

    def screenshot(self, *paths: Path) -> bytes:
        self.js("window.scrollTo(0, 0)")
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                                      "captureBeyondViewport": True})["data"])
        for p in paths:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        return data


@pytest.fixture(scope="module")
def browser(chromium_path):
    profile = tempfile.mkdtemp(prefix="summaryscan-chromium-")
    try:
        b = Browser(chromium_path, profile)
        b.send("Browser.getVersion", timeout=60)
    except Exception as exc:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"headless Chromium did not start: {exc}")
    yield b
    b.close()
    shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- #
# the report under test
# --------------------------------------------------------------------------- #

def summary_text(unit: str, year: int, learn: int, trained: int, extra: str = "") -> str:
    return (
        f"{unit}{year}年创建模范机关工作总结\n\n"
        f"{year}年，{unit}坚持以习近平新时代中国特色社会主义思想为指导，扎实推进“五型”模范机关创建。\n"
        "一、坚持政治引领，建设政治型机关\n"
        f"全年落实“第一议题”学习{learn + 10}次，研究提出贯彻落实措施{learn * 2}条，专题研究机关党建工作4次。\n"
        "二、强化理论武装，建设学习型机关\n"
        f"理论学习中心组开展集中学习{learn}次，举办培训班2期，累计培训{trained}人次。{extra}\n"
        "三、聚焦服务大局，建设高效型机关\n"
        "受理群众诉求186件，办结184件，办结率98.9%。\n"
        "四、从严正风肃纪，建设廉洁型机关\n"
        "开展警示教育6次，受教育党员干部780人次。\n"
        "五、激发队伍活力，建设活力型机关\n"
        "组织志愿服务42次，走访慰问困难职工35人。\n"
        "六、存在的问题和不足\n一是党建与业务融合还不够紧密。\n"
        f"七、{year + 1}年工作打算\n持续抓好“第一议题”制度落实。\n")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("screen") / "report"
    rep = ScreenReport(str(out), FW)
    docs = [
        analyze_text(summary_text("市财政局机关党委", 2024, 12, 580), "01_财政局.txt"),
        analyze_text(summary_text("县人社局党组", 2023, 3, 120, "另外还开展了大量的学习和调研活动，"
                                  "形成了较好的氛围，取得了明显成效，得到了广泛好评。"), "02_人社局.txt"),
        analyze_text(summary_text("区市场监管局党组", 2024, 8, 300), "03_市场监管局.txt"),
        analyze_text(summary_text("<script>alert(1)</script>局", 2024, 5, 90,
                                  "<img src=x onerror=alert(1)>"), "04_<b>evil</b>.txt"),
    ]
    for a in docs:
        c, first = a.claims[-1], a.claims[0]      # the earlier mention: in the same document, other_doc empty
        findings = [Finding(a.doc, "CONFLICTING_VALUES", "medium", f"“{c.raw}”与前文“{first.raw}”不一致",
                            a.section_path(c.section), a.sentence_text(c.sentence), c.raw, c.start, c.end, [c.raw],
                            other_doc="", other_start=first.start, other_end=first.end)]
        rep.add(a, coverage(a, FW), findings)
    from summaryscan.records import Analysis, RawDocument
    bad = Analysis(raw=RawDocument(path="in/05_扫描件.pdf", doc="05_扫描件.pdf", format="pdf", status="no_text",
                                   message="PDF 没有文字层（可能是扫描件）"))
    rep.add(bad, coverage(bad, FW), [])
    index = rep.finish()
    return types_ns(out=out, index=Path(index), docs=docs, rows=rep.rows)


def types_ns(**kw):
    import types
    return types.SimpleNamespace(**kw)


def row_docs(page: Page) -> list[str]:
    return page.js("Array.from(document.querySelectorAll('#docs tbody tr'))"
                   ".filter(tr => !tr.hidden).map(tr => tr.dataset.doc)")


# --------------------------------------------------------------------------- #
# tests
# --------------------------------------------------------------------------- #

def test_index_loads_clean_sorts_filters_and_is_screenshotted(browser, report, tmp_path):
    page = Page(browser)
    page.goto(report.index.as_uri())
    assert page.js("document.title") == "模范机关创建材料审读报告"
    assert page.js("document.querySelectorAll('#docs tbody tr').length") == 5
    # charts are loaded (not broken images)
    widths = page.js("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)")
    assert len(widths) >= 3 and all(w > 0 for w in widths), widths

    ranked = [r["doc"] for r in sorted(report.rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))]
    assert row_docs(page) == ranked

    density = {r["doc"]: r["density"] for r in report.rows if r["status"] == "ok"}
    by_density = sorted(density, key=lambda d: -density[d]) + ["05_扫描件.pdf"]
    page.click('#docs th[data-key="density"]')              # first click: highest first
    assert row_docs(page) == by_density
    assert page.js("document.querySelector('#docs th[data-key=density]').getAttribute('aria-sort')") == "descending"
    page.click('#docs th[data-key="density"]')              # second click: lowest first, blanks still last
    assert row_docs(page) == sorted(density, key=lambda d: density[d]) + ["05_扫描件.pdf"]
    page.click('#docs th[data-key="rank"]')
    assert row_docs(page) == ranked

    page.type("#q", "人社")
    assert row_docs(page) == ["02_人社局.txt"]
    assert page.js("document.getElementById('shown').textContent") == "1"
    page.js("(() => { const q = document.getElementById('q'); q.value = '';"
            " q.dispatchEvent(new Event('input')); })()")
    page.js("(() => { const s = document.getElementById('sev'); s.value = 'unreadable';"
            " s.dispatchEvent(new Event('change')); })()")
    assert row_docs(page) == ["05_扫描件.pdf"]
    page.js("(() => { const s = document.getElementById('sev'); s.value = '';"
            " s.dispatchEvent(new Event('change')); const c = document.getElementById('code');"
            " c.value = 'CONFLICTING_VALUES'; c.dispatchEvent(new Event('change')); })()")
    assert sorted(row_docs(page)) == sorted(density)
    page.js("(() => { const c = document.getElementById('code'); c.value = '';"
            " c.dispatchEvent(new Event('change')); })()")

    # the hostile submission is text, and nothing ran
    assert page.js("document.querySelectorAll('script').length") == 1
    assert page.js("document.querySelectorAll('img[onerror], #docs b, #docs img').length") == 0
    assert "<script>alert(1)</script>局" in page.js("document.querySelector('#docs').textContent")
    png = page.screenshot(tmp_path / "index.png", ROOT / "out" / "screenshots" / "index.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    page.settle(0.3)
    assert page.errors == [] and page.dialogs == []


def test_document_page_highlights_claims(browser, report, tmp_path):
    page = Page(browser)
    a = report.docs[0]
    page.goto(report.index.as_uri())
    before = page.loads
    page.click('#docs tr[data-doc="01_财政局.txt"] td.doc-cell a')       # follow the link
    page.wait_load(before)
    assert page.js("location.pathname").endswith(".html") and "docs/" in page.js("location.pathname")
    marks = page.js("Array.from(document.querySelectorAll('.doc-text mark.claim')).map(m => m.textContent)")
    assert marks == [c.raw for c in a.claims]
    tip = page.js("document.querySelector('.doc-text mark.claim').title")
    assert a.claims[0].subject in tip and "数值" in tip
    finding = page.js("(() => { const m = document.querySelector('.doc-text mark.finding'); "
                      "return [m.textContent, m.title]; })()")
    assert a.claims[-1].raw in finding[0] and "CONFLICTING_VALUES" in finding[1]
    headings = [s for s in a.sections if s.level != "point"]
    assert len(headings) >= 6
    assert page.js("document.querySelectorAll('nav.outline a[href^=\"#sec-\"]').length") == len(headings)
    page.screenshot(tmp_path / "doc.png", ROOT / "out" / "screenshots" / "doc.png")
    page.settle(0.3)
    assert page.errors == [] and page.dialogs == []


def test_hostile_document_page_runs_nothing(browser, report):
    page = Page(browser)
    evil = next(report.out.joinpath("docs").glob("04_*.html"))
    page.goto(evil.as_uri())
    assert page.js("document.querySelectorAll('script').length") == 1
    assert page.js("document.querySelectorAll('img, svg, h1 *, .doc-text b, table.findings b').length") == 0
    text = page.js("document.querySelector('.doc-text').textContent")
    assert "<script>alert(1)</script>局" in text and "<img src=x onerror=alert(1)>" in text
    page.settle(0.3)
    assert page.errors == [] and page.dialogs == []


TRIAGE = ("score", "high", "medium", "low", "status")


@pytest.mark.parametrize("width,height", [(1024, 768), (1400, 1000)])
def test_triage_columns_are_on_screen(browser, report, tmp_path, width, height):
    page = Page(browser, width, height)
    page.goto(report.index.as_uri())         # as the page opens, not scrolled
    seen = page.js("""(() => {
        const out = {};
        for (const key of %s) {
          const th = document.querySelector(`#docs th[data-key=${key}]`);
          const r = th.getBoundingClientRect();
          const td = document.querySelector('#docs tbody tr').cells[th.cellIndex].getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          out[key] = {left: r.left, right: r.right, top: r.top, bottom: r.bottom, own: th.contains(hit),
                      cellRight: td.right, cellBottom: td.bottom, text: th.textContent};
        }
        out.width = window.innerWidth; out.height = window.innerHeight;
        return out; })()""" % json.dumps(list(TRIAGE)))
    for key in TRIAGE:
        box = seen[key]
        assert 0 <= box["left"] and box["right"] <= seen["width"], (width, key, box)     # not cut off
        assert box["own"], (width, key, box)                                              # not covered
        assert box["cellRight"] <= seen["width"] and box["cellBottom"] <= seen["height"], (width, key, box)
    # the submission's title stays in view when the table is scrolled sideways
    page.js("document.querySelector('#docs').parentElement.scrollLeft = 10000")
    page.settle(0.2)
    left = page.js("document.querySelector('#docs tbody td.doc-cell').getBoundingClientRect().left")
    assert 0 <= left < 120
    page.js("document.querySelector('#docs').parentElement.scrollLeft = 0")
    page.settle(0.2)
    name = f"index-{width}x{height}.png"
    png = page.viewport_screenshot(tmp_path / name, ROOT / "out" / "screenshots" / name)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.errors == [] and page.dialogs == []


def test_a_click_on_a_conflicting_value_reaches_the_earlier_mention(browser, report):
    page = Page(browser, 1024, 768)
    a = report.docs[0]
    first = a.claims[0]
    page.goto(next(report.out.joinpath("docs").glob("01_*.html")).as_uri())

    def where() -> dict:
        return page.js(f"""(() => {{
            const anchor = document.getElementById('at-{first.start}');
            let m = anchor.nextElementSibling;
            while (m && m.tagName !== 'MARK') {{ m = m.nextElementSibling; }}
            const r = m.getBoundingClientRect();
            return {{hash: location.hash, text: m.textContent, flash: m.classList.contains('flash'),
                     top: r.top, bottom: r.bottom, height: window.innerHeight}}; }})()""")
    page.js("window.scrollTo(0, document.body.scrollHeight)")
    # the finding itself, in the text: a click goes to the earlier value
    page.click(".doc-text mark.code-CONFLICTING_VALUES")
    got = where()
    assert got["hash"] == f"#at-{first.start}" and got["text"] == first.raw and got["flash"], got
    assert 0 <= got["top"] and got["bottom"] <= got["height"], got                   # on screen
    # and from the findings table: the link names the earlier value
    page.js("window.scrollTo(0, 0); history.replaceState(null, '', location.pathname)")
    link = page.js("document.querySelector('#findings a.ref').textContent")
    assert first.raw in link
    page.click("#findings a.ref")
    got = where()
    assert got["hash"] == f"#at-{first.start}" and 0 <= got["top"] and got["bottom"] <= got["height"], got
    page.settle(0.3)
    assert page.errors == [] and page.dialogs == []
