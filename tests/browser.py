"""Open an HTML file in headless Chromium and report what the page saw.

A probe script is put into a copy of the page. After the load event it
records, for every image, whether it finished loading, its decoded size and
how many of its pixels are not blank (drawn through a canvas, so the pixels
really were decoded); it also collects script errors, failed loads and
console.error calls. Chromium prints the DOM with that record in it.
Chromium's own log of console messages (stderr) is returned too.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

PROBE = """<script>
window.__problems = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  __problems.push(t && t !== window ? "failed to load " + String(t.src || t.href || t.tagName).slice(0, 80)
                                    : "error: " + e.message);
}, true);
(function () {
  var original = console.error;
  console.error = function () {
    __problems.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
})();
window.addEventListener("load", function () {
  var images = [];
  Array.prototype.forEach.call(document.images, function (img) {
    var entry = {alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight, inked: 0};
    try {
      var canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      var g = canvas.getContext("2d");
      g.drawImage(img, 0, 0);
      var d = g.getImageData(0, 0, canvas.width, canvas.height).data;
      for (var k = 0; k < d.length; k += 4) {
        if (d[k + 3] > 0 && (d[k] < 250 || d[k + 1] < 250 || d[k + 2] < 250)) entry.inked++;
      }
    } catch (err) { __problems.push("pixels of " + img.alt + ": " + err); }
    images.push(entry);
  });
  var out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = JSON.stringify({images: images, problems: __problems});
  document.body.appendChild(out);
});
</script>"""

CHECK = re.compile(r'<pre id="browser-check">(.*?)</pre>', re.S)
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? (.*)")


INSTALL_HINT = ("install Debian's chromium (`apt-get install -y chromium`, as .ci/run does) "
                "or set DIPLOSIM_CHROMIUM=/path/to/chromium")


def chromium_path() -> str | None:
    """The Chromium binary: $DIPLOSIM_CHROMIUM if set (None unless it is an executable file),
    else `chromium` or `chromium-browser` on PATH."""
    named = os.environ.get("DIPLOSIM_CHROMIUM")
    if named:
        return named if os.path.isfile(named) and os.access(named, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """The Chromium binary, or: skip the test (with how to install it), or fail it where CI is set.

    On a developer's machine without a browser the browser checks are skipped with
    the reason; in CI (the CI variable set) a missing browser is a failure, so the
    checks cannot silently stop running there.
    """
    binary = chromium_path()
    if binary is not None:
        return binary
    reason = f"no Chromium for the browser checks: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser checks must run)")
    pytest.skip(reason)


def check_page(page: Path, work: Path, screenshot: Path, timeout: float = 120.0) -> dict[str, Any]:
    """Load `page` (a probed copy of it) in headless Chromium; return the probe's record.

    The record has "images", "problems" and "console" (messages from Chromium's log).
    A screenshot of the top of the page is saved to `screenshot`.
    """
    binary = chromium_path()
    if binary is None:
        raise FileNotFoundError("chromium not found")
    text = page.read_text(encoding="utf-8")
    probed = work / f"probed-{page.name}"
    probed.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={work / 'chromium-profile'}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=10000", "--window-size=1280,2400",
            f"--screenshot={screenshot}", "--dump-dom", probed.resolve().as_uri()]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    found = CHECK.search(done.stdout)
    if found is None:
        raise RuntimeError(f"the probe did not report (exit {done.returncode}); stderr tail:\n{done.stderr[-2000:]}")
    record = json.loads(html.unescape(found.group(1)))
    record["console"] = [m.group(1) for m in map(CONSOLE.search, done.stderr.splitlines()) if m]
    return record
