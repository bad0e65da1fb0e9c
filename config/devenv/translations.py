"""Translations: extract, compile and check the English, 简体中文 and 繁體中文 catalogues.

``messages``  extract every string into ``locale/<lang>/LC_MESSAGES/django.po`` (keeping the
              translations already there) and compile them; run it after adding strings,
              then translate the new entries.
``compile``   compile the catalogues (``make run`` and ``make test`` do it on every start, so
              a fresh clone shows the translated interface; compiled ``.mo`` files are not
              committed).
``check``     the test command's gate: extraction must add nothing new, and no entry of either
              Chinese catalogue may be untranslated, fuzzy or obsolete; no template may show
              text outside the translation tags.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from config.devenv.output import DevenvError, relative, say
from config.devenv.paths import ROOT

LOCALES = ("zh_Hans", "zh_Hant")
LOCALE_DIR = ROOT / "locale"
TEMPLATE_DIR = ROOT / "templates"
#: Django template tags and variables; the text between ``blocktranslate`` tags is translated.
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
BLOCK = re.compile(
    r"\{%\s*(blocktranslate|blocktrans|comment|verbatim)\b.*?%\}.*?\{%\s*end\1\s*%\}"
    # Blocks that fill an HTML attribute in the parent template (CSS classes), not text.
    r"|\{%\s*block\s+(\w*class\w*)\s*%\}.*?\{%\s*endblock\b[^%]*%\}",
    re.DOTALL,
)
PLACEHOLDER = "\x00"
#: Attributes a person sees or hears (screen readers) whose text must be translated.
VISIBLE_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "label"})
#: Text that is the same in every language: the product's name, symbols, example values.
UNTRANSLATED_OK = re.compile(
    r"^([\u00b7|\u2013\u2014-]?\s*Rapport|English|简体中文|繁體中文|CSV|XLSX|PDF|API|ID|URL|UTC|SKU|"
    r"Ctrl\s?\+?\s?K|"
    r"\d[\d\s./:-]*|[^\w]+|[\w.+-]+@[\w.-]+|https?://\S+|4242 4242 4242 4242|12/34|123)$"
)


@dataclass(frozen=True)
class Untranslated:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


class _VisibleText(HTMLParser):
    """Collects text nodes and visible attribute values outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        for piece in text.split(PLACEHOLDER):
            piece = " ".join(piece.split())
            if piece and re.search(r"[^\W\d_]", piece) and not UNTRANSLATED_OK.match(piece):
                self.found.append((self.getpos()[0], piece))


def _masked(source: str) -> str:
    """The template with every tag, variable and translated block replaced by a marker
    (newlines kept, so line numbers stay right)."""

    def mask(match: re.Match[str]) -> str:
        return f" {PLACEHOLDER} " + "\n" * match.group(0).count("\n")

    return TEMPLATE_TAG.sub(mask, BLOCK.sub(mask, source))


def untranslated_template_text(directory: Path = TEMPLATE_DIR) -> Iterator[Untranslated]:
    """Visible text written in a template outside ``{% translate %}``/``{% blocktranslate %}``.

    Plain-text e-mail templates are read the same way (their text is all visible).
    """
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        parser = _VisibleText()
        text = _masked(path.read_text(encoding="utf-8"))
        if path.suffix == ".txt":
            parser.handle_data(text)
        else:
            parser.feed(text)
            parser.close()
        for line, piece in parser.found:
            yield Untranslated(str(path.relative_to(directory)), line, piece)


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(  # noqa: S603 -- our own manage.py
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DevenvError(f"{' '.join(command[1:])} failed:\n{result.stderr.strip()}")


def messages_extract(env: dict[str, str] | None = None) -> None:
    """Refresh both catalogues from the source (translations already made are kept)."""
    locale_args = [arg for code in LOCALES for arg in ("-l", code)]
    _run(
        manage(
            "makemessages",
            *locale_args,
            "--no-obsolete",
            "--add-location=file",
            "--ignore=.venv/*",
            "--ignore=.local/*",
            "--ignore=static/vendor/*",
            "--ignore=tests/*",
            "--ignore=bench/*",
            "--ignore=staticfiles/*",
        ),
        env,
    )


def messages_compile(env: dict[str, str] | None = None) -> None:
    _run(manage("compilemessages", "--ignore=.venv/*", "--ignore=.local/*"), env)


@dataclass(frozen=True)
class CatalogueProblem:
    locale: str
    kind: str
    msgid: str

    def __str__(self) -> str:
        return f"{self.locale}: {self.kind}: {self.msgid!r}"


def catalogue_problems(locale_dir: Path = LOCALE_DIR) -> list[CatalogueProblem]:
    """Entries of the Chinese catalogues that are untranslated, fuzzy or obsolete."""
    import polib

    problems: list[CatalogueProblem] = []
    for code in LOCALES:
        path = locale_dir / code / "LC_MESSAGES" / "django.po"
        if not path.exists():
            problems.append(CatalogueProblem(code, "missing catalogue", str(relative(path))))
            continue
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.obsolete:
                problems.append(CatalogueProblem(code, "obsolete", entry.msgid))
            elif "fuzzy" in entry.flags:
                problems.append(CatalogueProblem(code, "fuzzy", entry.msgid))
            elif not entry.translated():
                problems.append(CatalogueProblem(code, "untranslated", entry.msgid))
    return problems


def cmd_messages(args: Sequence[str]) -> int:
    messages_extract()
    messages_compile()
    problems = catalogue_problems()
    say(f"catalogues refreshed; {len(problems)} entries still need a translation")
    return 0


def cmd_compile(args: Sequence[str]) -> int:
    messages_compile()
    return 0


def translations_check(env: dict[str, str] | None = None) -> None:
    """Fail with the list of what is missing: strings, translations, template text."""
    messages_extract(env)
    problems: list[str] = [str(problem) for problem in catalogue_problems()]
    problems += [f"text outside translation tags: {item}" for item in untranslated_template_text()]
    if problems:
        listing = "\n  ".join(problems[:60])
        more = f"\n  … and {len(problems) - 60} more" if len(problems) > 60 else ""
        raise DevenvError(
            f"{len(problems)} translation problems (`make messages` refreshed the catalogues; "
            f"translate the new entries in locale/*/LC_MESSAGES/django.po):\n  {listing}{more}"
        )
    messages_compile(env)
