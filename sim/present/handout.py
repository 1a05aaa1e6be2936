"""The two-page student handout, made from the teaching guide (docs/teaching.md) so the two cannot drift.

`handout_html` takes the guide's "Three things to say once", its student
sheet, its glossary and its model card, and lays them out as one HTML file
with a print stylesheet (two columns, A4 or Letter, two pages). Only the
Markdown the guide uses is understood: headings, paragraphs, lists, bold,
italics, code and links.
"""

from __future__ import annotations

import html
import re

HANDOUT_SECTIONS = ("Student sheet", "Glossary", "Model card")
"""The guide's ``##`` sections the handout carries (a heading starting with one of these), in this order."""

STYLE = """
@page { size: A4; margin: 11mm 12mm; }
body { font: 8.4pt/1.28 "DejaVu Serif", Georgia, serif; margin: 0 auto; max-width: 190mm; color: #111; }
h1 { font-size: 12.5pt; margin: 0 0 2mm; }
h2 { font-size: 10pt; margin: 2.2mm 0 1mm; break-after: avoid; }
h3 { font-size: 9pt; margin: 1.8mm 0 0.6mm; break-after: avoid; }
p, li { margin: 0 0 1.1mm; }
ul { margin: 0 0 1mm; padding-left: 4mm; }
code { font: 7.8pt "DejaVu Sans Mono", monospace; }
.cols { column-count: 2; column-gap: 6mm; }
.card { break-before: page; }
@media screen { body { padding: 8mm; } }
"""


def sections(guide: str) -> dict[str, str]:
    """The guide's ``##`` sections by heading (their Markdown, heading excluded)."""
    parts = re.split(r"^## (.+)$", guide, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def three_things(guide: str) -> str:
    """The bullets after "Three things to say once" (the notions students need), as Markdown."""
    m = re.search(r"Three things to say once[^\n]*\n\n((?:- .*\n(?:  .*\n)*)+)", guide)
    return m.group(1) if m else ""


def inline(text: str) -> str:
    """Bold, italics, code and links of one Markdown paragraph, as HTML (the text escaped)."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1", out)  # a printed page has no links


_LIST_MARK = re.compile(r"^(- |\d+\. )")


def markdown_html(md: str) -> str:
    """The guide's Markdown subset as HTML: ``###`` headings, paragraphs, ``-`` and ``1.`` lists."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", md) if b.strip()]
    out = []
    for block in blocks:
        if block.startswith("### "):
            out.append(f"<h3>{inline(block[4:].strip())}</h3>")
        elif re.match(r"^(- |\d+\. )", block):
            items = [_LIST_MARK.sub("", it).replace("\n", " ") for it in re.split(r"\n(?=- |\d+\. )", block)]
            out.append("<ul>" + "".join(f"<li>{inline(it)}</li>" for it in items) + "</ul>")
        else:
            out.append("<p>" + inline(block.replace("\n", " ")) + "</p>")
    return "\n".join(out)


def handout_html(guide: str) -> str:
    """The handout as one self-contained HTML page (no scripts, no external files)."""
    found = sections(guide)
    title = re.search(r"^# (.+)$", guide, re.MULTILINE)
    body = [f"<h1>{inline(title.group(1)) if title else 'Seminar handout'}: student handout</h1>",
            '<div class="cols">', "<h2>Three things to know</h2>", markdown_html(three_things(guide))]
    for wanted in HANDOUT_SECTIONS:
        heading = next((h for h in found if h.startswith(wanted)), None)
        if heading is None:
            continue
        if wanted == "Model card":
            body += ["</div>", '<div class="cols card">']
        body += [f"<h2>{inline(heading)}</h2>", markdown_html(found[heading])]
    body.append("</div>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Student handout</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
