"""What a record is found by, and the same reading of what a user types.

A record keeps four search columns, computed here in Python when a service writes it:

- ``search_text``: its names, e-mail addresses and web domain, folded (lower case, no
  accents, full-width forms narrowed, traditional Chinese characters written simplified) and
  split into space-separated tokens. Each Chinese character is a token of its own, so a
  fragment of a name (``大文`` in 陳大文) is a run of whole tokens. Chinese text also adds
  its pinyin: each syllable (``chen da wen``), the syllables joined (``chendawen``) and the
  initials (``cdw``). A trigram index answers "contains" and "a word starts with".
- ``search_keys``: what the record is exactly called: its whole name (both name orders for a
  contact), its pinyin joined and initials, its e-mail addresses and their domains, its web
  domain. A GIN index answers "is exactly".
- ``search_typos``: every word of five letters or more of its names, and each spelling of it
  with one letter left out. A query word one letter off shares one of these keys with it
  (a missing or extra letter: the word itself; a wrong or swapped letter: the word with that
  letter left out on both sides), so a GIN index answers "one letter off" exactly.
- ``search_phones``: the digits of each phone number. A query of seven digits or more is
  compared by its last eight digits, so ``+86 138 0013 8000``, ``13800138000`` and
  ``138-0013-8000`` are one number, as are ``(0)20 7946 0958`` and ``+44 20 7946 0958``.

Queries go through :func:`read_query`, which folds them the same way. Tokens never span a
space, so a search condition built from a query is always a ``LIKE`` pattern with a word
boundary or three letters in it: something a trigram index can answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from urllib.parse import urlsplit

import opencc
from pypinyin import lazy_pinyin

#: The CJK unified ideographs (basic block, extensions A to H, compatibility ideographs).
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_HAN = re.compile(f"[{_HAN_CLASS}]")
_HAN_RUN = re.compile(f"[{_HAN_CLASS}]+")
#: A token: one Chinese character, or a run of anything else but spaces.
_TOKEN = re.compile(f"[{_HAN_CLASS}]|[^\\s{_HAN_CLASS}]+")
#: Latin, Greek and Cyrillic accents (combining diacritical marks), dropped after NFD.
_ACCENTS = re.compile("[\u0300-\u036f]")
_WORD_PARTS = re.compile(r"[^\W_]+")
#: Halves of UTF-16 pairs: no character, and nothing PostgreSQL could store or compare.
_SURROGATES = re.compile("[\ud800-\udfff]")
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_PHONE_LIKE = re.compile(r"[0-9\s+\-().\/]+")
#: pypinyin writes ü as ``v``, which only follows ``l`` and ``n`` (lü, nüe).
_PINYIN_V = re.compile(r"([ln])v(e?)")

#: Words this long or longer are found with one letter missing, extra, wrong or swapped.
TYPO_MIN_LETTERS = 5
#: A query of this many digits or more is (also) a phone number.
PHONE_MIN_DIGITS = 7
#: Phone numbers are compared by this many trailing digits: long enough to tell numbers
#: apart, short enough to leave out country codes and the trunk prefix (``0``).
PHONE_TAIL_DIGITS = 8
#: Between the runs of ``search_text`` (a name, its pinyin, an address): a query's tokens
#: follow each other inside one run, never across two.
RUN_SEPARATOR = " | "
#: Words of a query that are searched; the rest are ignored.
QUERY_MAX_WORDS = 8
#: Longest word that gets typo keys (a longer one is no name).
_TYPO_MAX_LETTERS = 30

#: Family names whose reading differs from the character's everyday one: a name starting
#: with one of these is also indexed under the family-name reading (曾国藩: ``zeng`` and
#: ``ceng``). Both are kept, so a wrong guess costs a spare key, never a miss.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "区": "ou",
    "仇": "qiu",
    "解": "xie",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "覃": "qin",
    "乐": "yue",
    "缪": "miao",
    "种": "chong",
    "秘": "bi",
    "翟": "zhai",
    "召": "shao",
    "员": "yun",
    "繁": "po",
    "句": "gou",
    "折": "she",
    "尉": "yu",
}


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _simplified(char: str) -> str:
    """One character in simplified script (itself if it has no other form).

    Characters are converted one at a time, never as phrases, so a fragment of a name folds
    exactly as it does inside the whole name.
    """
    return str(_converter().convert(char))


def fold(text: str) -> str:
    """``text`` as search compares it: NFKC, simplified Chinese, case-folded, without accents.

    Whitespace runs become one space. ``陳大文`` and ``陈大文`` fold alike, as do ``Müller``
    and ``muller``, full-width and ASCII letters and digits.
    """
    text = unicodedata.normalize("NFKC", _SURROGATES.sub("", text))
    text = _HAN.sub(lambda match: _simplified(match.group()), text).casefold()
    text = _ACCENTS.sub("", unicodedata.normalize("NFD", text))
    return " ".join(unicodedata.normalize("NFC", text).split())


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def tokens(folded: str) -> list[str]:
    """The tokens of folded text: each Chinese character alone, other runs up to a space."""
    return _TOKEN.findall(folded)


def _word_variants(token: str) -> list[str]:
    """``jean-luc`` is also ``jeanluc``, ``jean`` and ``luc``; ``o'brien`` also ``obrien``."""
    parts = _WORD_PARTS.findall(token)
    if len(parts) < 2:
        return []
    return ["".join(parts), *parts]


@lru_cache(maxsize=65536)
def _run_pinyin(run: str) -> tuple[str, ...]:
    """pypinyin's syllables of a run of Chinese characters (names repeat: cached)."""
    return tuple(syllable.lower() for syllable in lazy_pinyin(run) if syllable.strip())


def pinyin_readings(folded: str) -> list[list[str]]:
    """The syllables of ``folded`` (other words kept as they are), one list per reading.

    The first reading is pypinyin's (phrases read in context); a name starting with a family
    name that reads differently (:data:`SURNAME_READINGS`) adds that reading, and syllables
    with ``ü`` (written ``v``) add the spelling with ``u`` (``lv`` and ``lu``). Empty when
    ``folded`` has no Chinese character.
    """
    if not has_han(folded):
        return []
    syllables: list[str] = []
    for word in folded.split():
        position = 0
        for run in _HAN_RUN.finditer(word):
            syllables.extend(tokens(word[position : run.start()]))
            syllables.extend(_run_pinyin(run.group()))
            position = run.end()
        syllables.extend(tokens(word[position:]))
    readings = [syllables]
    surname = SURNAME_READINGS.get(folded[0])
    if surname and syllables and syllables[0] != surname:
        readings.append([surname, *syllables[1:]])
    for reading in list(readings):
        if any(_PINYIN_V.fullmatch(s) for s in reading):
            readings.append(
                [_PINYIN_V.sub(r"\1u\2", s) if _PINYIN_V.fullmatch(s) else s for s in reading]
            )
    return readings


def initials(folded: str, readings: list[list[str]]) -> list[str]:
    """``cdw`` for 陈大文: the first letters of the readings of an all-Chinese name."""
    if not folded or not all(_HAN.fullmatch(char) for char in folded.replace(" ", "")):
        return []
    return _unique("".join(s[0] for s in reading if s) for reading in readings)


def one_letter_off(word: str) -> list[str]:
    """``word`` and every spelling of it with one letter left out."""
    return _unique([word, *(word[:i] + word[i + 1 :] for i in range(len(word)))])


def _typo_word(token: str) -> bool:
    return token.isalpha() and not has_han(token) and len(token) <= _TYPO_MAX_LETTERS


def digits(text: str) -> str:
    """The ASCII digits of ``text`` (full-width digits included)."""
    return "".join(char for char in unicodedata.normalize("NFKC", text) if char in "0123456789")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


@dataclass(frozen=True)
class SearchColumns:
    """The values of a record's four search columns."""

    search_text: str
    search_keys: list[str]
    search_typos: list[str]
    search_phones: str

    def as_dict(self, *, phones: bool = True) -> dict[str, object]:
        values: dict[str, object] = {
            "search_text": self.search_text,
            "search_keys": self.search_keys,
            "search_typos": self.search_typos,
        }
        if phones:
            values["search_phones"] = self.search_phones
        return values


@lru_cache(maxsize=8192)
def _name_columns(name: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What one name adds to the text runs, the keys and the typo keys. Names repeat (an
    import's 张伟 and Mary Smith, pinyin being the costly part): the latest 8,192 are kept."""
    folded = fold(name)
    if not folded:
        return (), (), ()
    name_tokens = tokens(folded)
    runs = [" ".join(name_tokens)]
    keys = [folded, folded.replace(" ", "")]
    typos: list[str] = []
    for token in name_tokens:
        variants = _word_variants(token)
        runs += variants
        for word in [token, *variants]:
            if _typo_word(word) and len(word) >= TYPO_MIN_LETTERS:
                typos += one_letter_off(word)
    readings = pinyin_readings(folded)
    for reading in readings:
        runs += [" ".join(reading), "".join(reading)]
        keys.append("".join(reading))
    name_initials = initials(folded, readings)
    runs += name_initials
    keys += name_initials
    return tuple(runs), tuple(keys), tuple(typos)


def search_columns(
    *,
    names: Iterable[str],
    emails: Iterable[str] = (),
    domains: Iterable[str] = (),
    phones: Iterable[str] = (),
    words: Iterable[str] = (),
) -> SearchColumns:
    """The search columns of a record called ``names`` (each a whole name, in any order the
    record is known by), with these e-mail addresses, web domains and phone numbers, and
    other ``words`` it is found by (a job title, a city) as they are written."""
    runs: list[str] = [" ".join(tokens(fold(text))) for text in words]
    keys: list[str] = []
    typos: list[str] = []
    for name in names:
        name_runs, name_keys, name_typos = _name_columns(name)
        runs += name_runs
        keys += name_keys
        typos += name_typos
    for email in emails:
        address = fold(email).replace(" ", "")
        if address:
            runs.append(address)
            keys.append(address)
            if "@" in address:
                keys.append(address.rpartition("@")[2])
    for domain in domains:
        host = fold(domain).replace(" ", "")
        if host:
            runs.append(host)
            keys.append(host)
    numbers = _unique(digits(phone) for phone in phones)
    return SearchColumns(
        search_text=f" {RUN_SEPARATOR.join(_unique(runs))} ",
        search_keys=_unique(keys),
        search_typos=_unique(typos),
        search_phones=f" {' '.join(numbers)} " if numbers else "",
    )


def contact_search_columns(
    *,
    first_name: str,
    last_name: str,
    emails: Iterable[str],
    phones: Iterable[str],
    title: str = "",
    full_name: str = "",
) -> SearchColumns:
    """A contact is known by the name as written and, from its parts, by "first last" and
    "last first" (张伟 is 张 + 伟 either way)."""
    first, last = first_name.strip(), last_name.strip()
    names = [f"{first} {last}", f"{last} {first}"] if first and last else [first or last]
    if first and last and has_han(first + last):
        names += [f"{last}{first}", f"{first}{last}"]
    if full_name.strip():
        names = [full_name.strip(), *names]
    names = [name for name in names if name]
    return search_columns(names=names, emails=emails, phones=phones, words=[title])


def company_search_columns(*, name: str, domain: str, phone: str, city: str = "") -> SearchColumns:
    return search_columns(names=[name], domains=[domain], phones=[phone], words=[city])


def lead_search_columns(*, name: str, company_name: str, email: str, phone: str) -> SearchColumns:
    return search_columns(names=[name, company_name], emails=[email], phones=[phone])


def deal_search_columns(*, title: str) -> SearchColumns:
    return search_columns(names=[title])


# --- Reading a query ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and the ``LIKE`` fragments that find it in ``search_text``."""

    #: The word as tokens of ``search_text`` (Chinese characters spaced), after a space:
    #: "a token starts with this".
    prefix: str
    #: What the word must occur as: the word itself when three letters or more can be looked
    #: up by trigram, else the word as a token start.
    contains: str
    #: The word and its one-letter-off spellings, when it is a word typos are forgiven in.
    typo_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    """A search as :mod:`crm.selectors.search` runs it."""

    text: str
    words: list[QueryWord]
    #: Exact names, addresses and domains the whole query may be.
    keys: list[str]
    #: The last digits of a phone number, if the query is one.
    phone_tail: str = ""
    #: Its last seven digits, which a number stored without its area code equals.
    phone_local: str = ""

    def __bool__(self) -> bool:
        return bool(self.words or self.phone_tail)


def _host(folded: str) -> str:
    """``jadegarden.cn`` for ``https://www.jadegarden.cn/about`` (or ``""``: not an address)."""
    if " " in folded or "@" in folded:
        return ""
    if _URL_SCHEME.match(folded):
        host = urlsplit(folded).hostname or ""
    elif "." in folded and ("/" in folded or folded.startswith("www.")):
        host = folded.split("/", 1)[0].split(":", 1)[0]
    else:
        return ""
    return host.removeprefix("www.")


def _query_word(word: str) -> QueryWord | None:
    if not any(char.isalnum() for char in word):
        return None  # punctuation alone matches nothing a trigram index can find
    spaced = " ".join(tokens(word))
    trigram_ready = not has_han(word) and any(
        len(part) >= 3 for part in re.findall(r"[^\W_]+", word)
    )
    typo_keys: list[str] = []
    if _typo_word(word) and len(word) >= TYPO_MIN_LETTERS - 1:
        typo_keys = one_letter_off(word) if len(word) >= TYPO_MIN_LETTERS else [word]
    return QueryWord(
        prefix=f" {spaced}", contains=word if trigram_ready else f" {spaced}", typo_keys=typo_keys
    )


def read_query(text: str, *, max_length: int = 100) -> Query:
    """What ``text`` asks for: its words, exact keys and phone digits, folded as records are."""
    folded = fold(text[:max_length])
    folded = _host(folded) or folded
    words = [w for w in (_query_word(word) for word in folded.split()[:QUERY_MAX_WORDS]) if w]
    phone_tail = phone_local = ""
    number = digits(text)
    if _PHONE_LIKE.fullmatch(unicodedata.normalize("NFKC", text.strip())) and (
        len(number) >= PHONE_MIN_DIGITS
    ):
        phone_tail = number[-PHONE_TAIL_DIGITS:]
        phone_local = number[-PHONE_MIN_DIGITS:]
    keys = _unique([folded, folded.replace(" ", "")]) if words else []
    return Query(
        text=folded, words=words, keys=keys, phone_tail=phone_tail, phone_local=phone_local
    )
