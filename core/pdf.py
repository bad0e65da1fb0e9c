"""HTML to PDF with WeasyPrint, in fonts that cover Latin, Simplified and Traditional Chinese.

The fonts are vendored (``static/vendor/fontsource-noto-sans-{sc,tc}-*``, see ``make vendor``)
rather than taken from the system, so a PDF looks the same on every machine and no Chinese
character turns into a box on a server without CJK fonts. WeasyPrint embeds only the glyphs a
document uses, so a one-page quote stays small.

Documents are rendered from the product's own templates, but their text comes from users
(product names, terms, addresses): the URL fetcher only reads the vendored fonts, other static
files and ``data:`` URLs, never the network, so a document cannot make the server fetch
anything.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

#: The vendored font files, by CSS family and weight (paths under ``static/``).
SC = "vendor/fontsource-noto-sans-sc-4.5.12/files/noto-sans-sc"
TC = "vendor/fontsource-noto-sans-tc-4.5.12/files/noto-sans-tc"
FONT_FILES: dict[str, dict[int, str]] = {
    "Rapport Latin": {w: f"{SC}-latin-{w}-normal.woff2" for w in (400, 700)},
    "Rapport SC": {w: f"{SC}-chinese-simplified-{w}-normal.woff2" for w in (400, 700)},
    "Rapport TC": {w: f"{TC}-chinese-traditional-{w}-normal.woff2" for w in (400, 700)},
}
#: Traditional Chinese documents prefer the Traditional font (Taiwan/Hong Kong glyph shapes);
#: every other document prefers the Simplified one. Each falls back to the other per glyph.
FONT_STACK_CSS = """
html { font-family: "Rapport Latin", "Rapport SC", "Rapport TC", sans-serif; }
:lang(zh-hant), :lang(zh-tw), :lang(zh-hk) {
  font-family: "Rapport Latin", "Rapport TC", "Rapport SC", sans-serif;
}
"""


class PdfFontMissingError(RuntimeError):
    """A vendored font file is not where ``make vendor`` puts it."""


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _font_path(relative: str) -> Path:
    found = finders.find(relative)
    if not found:
        raise PdfFontMissingError(f"PDF font {relative} is missing: run `make vendor`")
    return Path(found if isinstance(found, str) else found[0]).resolve()


@cache
def font_face_css() -> str:
    """``@font-face`` rules for the PDF fonts, with absolute ``file:`` URLs."""
    rules = []
    for family, weights in FONT_FILES.items():
        for weight, relative in weights.items():
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                f"font-style: normal; src: url('{_font_path(relative).as_uri()}') "
                "format('woff2'); }"
            )
    return "\n".join(rules) + FONT_STACK_CSS


def _local_only_fetcher() -> Any:
    """WeasyPrint's fetcher limited to ``data:`` URLs and files under the static roots."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not any(path.is_relative_to(root) for root in _static_roots()):
                    raise ValueError(f"PDF documents may not load {url}")
            elif parsed.scheme != "data":
                raise ValueError(f"PDF documents may not load {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of ``html`` (a whole document), with the product's fonts.

    ``base_url`` resolves relative URLs in the document (only local static files load).
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    fetcher = _local_only_fetcher()
    fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[fonts], font_config=font_config)
    return pdf
