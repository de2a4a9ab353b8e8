"""The page a browser shows while the input has problems: every `path:line: message`,
escaped, with the live-reload script, so that saving the fixed file brings the page back
by itself."""

from __future__ import annotations

import html

from ..messages import _, language
from ..problems import Problem


def serve_script(port: int) -> str:
    """The live-reload snippet put into every preview page. livereload.js comes from the
    preview server itself (never a CDN); it reads the port from its own URL and opens
    ws://<page host>:<port>/livereload. An external script rather than an inline loader,
    so that a Content Security Policy allowing only 'self' scripts does not block it."""
    return f'<script src="/livereload.js?port={int(port)}"></script>'


def error_page(problems: list[Problem], script: str) -> bytes:
    items = "\n".join(
        f'<li class="{p.level}"><code>{html.escape(p.format())}</code></li>' for p in problems
    )
    count = len([p for p in problems if p.level == "error"])
    title = html.escape(_("Preview: problems ({count})").format(count=count))
    heading = html.escape(_("The site could not be rebuilt"))
    intro = _("Fix the problems below, then save the file. This page reloads by itself once the "
              "file is saved. Each line names <strong>file:line: message</strong>.")
    guide = _("What each message means and how to fix it: {guide}.").format(guide="<code>docs/panduan-editor.md</code>")
    return f"""<!doctype html>
<html lang="{language()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b; background: #fff; }}
h1 {{ color: #a4000f; font-size: 1.5rem; }}
ul {{ padding-left: 1.2rem; }}
li {{ margin: .5rem 0; }}
code {{ white-space: pre-wrap; overflow-wrap: anywhere; font-size: .95rem; }}
li.warning code {{ color: #6b4e00; }}
</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{intro}</p>
<ul id="masalah">
{items}
</ul>
<p>{guide}</p>
</main>
{script}
</body>
</html>
""".encode("utf-8")
