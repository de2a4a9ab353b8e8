"""Follow every internal link of a built site: each href/src under the base path must name
a file that exists (directory URLs need index.html; #fragments must exist on the page)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

ATTRS = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src"), ("form", "action"))


def target_file(site: Path, base_path: str, url: str) -> Path | None:
    """The file a site-internal URL points at, or None when the URL is external."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path.startswith(base_path):
        raise AssertionError(f"{url} is outside the base path {base_path}")
    rel = path[len(base_path):]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return site / rel


def broken_links(site: Path, base_path: str, base_url: str = "") -> list[str]:
    problems = []
    ids_cache: dict = {}
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.relative_to(site).parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        for tag, attr in ATTRS:
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or url.startswith(("mailto:", "data:", "tel:")):
                    continue
                if base_url and url.startswith(base_url):
                    url = base_path + url[len(base_url):]  # an absolute link to the site itself
                if not url.startswith(("/", "#")) and not urlsplit(url).scheme:
                    # A relative link (the /admin/ page's own files): resolved against the page.
                    page_url = base_path + page.relative_to(site).as_posix().removesuffix("index.html")
                    url = urljoin(page_url, url)
                if url.startswith("#"):
                    frag = url[1:]
                    if frag and not soup.find(id=frag):
                        problems.append(f"{page.relative_to(site)}: missing anchor {url}")
                    continue
                try:
                    target = target_file(site, base_path, url)
                except AssertionError as exc:
                    problems.append(f"{page.relative_to(site)}: {exc}")
                    continue
                if target is None:
                    continue
                if not target.is_file():
                    problems.append(f"{page.relative_to(site)}: {url} -> missing {target.relative_to(site)}")
                    continue
                frag = urlsplit(url).fragment
                if frag and target.suffix == ".html":
                    if target not in ids_cache:
                        ids_cache[target] = {e.get("id") for e in BeautifulSoup(target.read_text(encoding="utf-8"), "lxml").find_all(id=True)}
                    if frag not in ids_cache[target]:
                        problems.append(f"{page.relative_to(site)}: {url} -> no element with id {frag!r}")
    return problems
