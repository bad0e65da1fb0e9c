"""``icons``: a Tabler icon font holding only the icons Rapport uses.

The full ``tabler-icons.woff2`` is 831 KB for about 6,000 icons; every page of a new
workspace downloaded it before its icons appeared (the last and largest request of a signup
in the browser benchmark). Rapport uses a few dozen. This command scans the source for
``ti-<name>`` classes, keeps those glyphs (fonttools' subsetter) and writes a small stylesheet
for them into ``static/vendor/tabler-icons-subset/``. A test fails when the source names an
icon the subset lacks, with the command to run.

    make icons        # = .venv/bin/python -m config.devenv icons
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from config.devenv.output import DevenvError, relative, say
from config.devenv.paths import ROOT, VENDOR_DIR

FULL_DIR = VENDOR_DIR / "tabler-icons-webfont-3.35.0"
SUBSET_DIR = VENDOR_DIR / "tabler-icons-subset"
SOURCE_DIRS = ("templates", "static/js", "core", "tenants", "billing", "crm", "onboarding")
ICON_CLASS = re.compile(r"\bti-([a-z0-9]+(?:-[a-z0-9]+)*)")
#: ``.ti-name:before { content: "\\f123" }`` in the full stylesheet.
ICON_RULE = re.compile(r'\.ti-([a-z0-9-]+):before\{content:"\\([0-9a-f]+)"\}')
#: Classes of the stylesheet itself, not icons.
NOT_ICONS = frozenset({"subset"})


def icons_used(root: Path = ROOT) -> set[str]:
    """Every ``ti-<name>`` written in templates, scripts and Python of the apps."""
    names: set[str] = set()
    for directory in SOURCE_DIRS:
        for path in (root / directory).rglob("*"):
            if path.suffix in {".html", ".js", ".py"} and "vendor" not in path.parts:
                names.update(ICON_CLASS.findall(path.read_text(errors="replace")))
    return names - NOT_ICONS


def icon_codepoints(stylesheet: Path) -> dict[str, int]:
    """Icon name to codepoint, from the full Tabler stylesheet."""
    text = stylesheet.read_text()
    return {name: int(code, 16) for name, code in ICON_RULE.findall(text)}


def subset_stylesheet(codepoints: dict[str, int]) -> str:
    rules = "".join(
        f'.ti-{name}:before{{content:"\\{code:x}"}}' for name, code in sorted(codepoints.items())
    )
    return (
        "/*! Tabler Icons 3.35.0 (MIT), subset to the icons Rapport uses: make icons */"
        '@font-face{font-family:"tabler-icons";font-style:normal;font-weight:400;'
        'font-display:block;src:url("tabler-icons.woff2") format("woff2")}'
        '.ti{font-family:"tabler-icons"!important;speak:none;font-style:normal;'
        "font-weight:normal;font-variant:normal;text-transform:none;line-height:1;"
        "-webkit-font-smoothing:antialiased;-moz-osx-font-smoothing:grayscale}" + rules + "\n"
    )


def cmd_icons(args: Sequence[str]) -> int:
    try:
        from fontTools import subset
    except ImportError as error:  # the dev extra brings fonttools and brotli
        raise DevenvError("`icons` needs fonttools: run `make venv`") from error
    known = icon_codepoints(FULL_DIR / "tabler-icons.min.css")
    used = icons_used()
    unknown = sorted(used - set(known))
    if unknown:
        raise DevenvError(f"not Tabler icons: {', '.join(unknown)}")
    chosen = {name: known[name] for name in used}
    SUBSET_DIR.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    font = subset.load_font(str(FULL_DIR / "fonts" / "tabler-icons.ttf"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chosen.values()))
    subsetter.subset(font)
    target = SUBSET_DIR / "tabler-icons.woff2"
    subset.save_font(font, str(target), options)
    (SUBSET_DIR / "tabler-icons.min.css").write_text(subset_stylesheet(chosen))
    size = target.stat().st_size
    say(f"{len(chosen)} icons, {size / 1024:.1f} KB: {relative(SUBSET_DIR)}/")
    return 0
