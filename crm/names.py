"""People's names as their owners write them: 张伟, Mary Smith, or one full name.

Rapport stores the name as written (``full_name``) and, when known, its parts for greetings
and letters. Nothing forces a split: a person may have only a full name. When only the parts
are given (an import with first and last name columns), the name is composed the way the
script writes it: a Chinese, Japanese or Korean family name comes first with no space
(李 + 伟 → 李伟), other names given name first (Mary + Smith → Mary Smith).
"""

from __future__ import annotations

import re

#: CJK ideographs (incl. extension A and compatibility), kana and hangul.
_EAST_ASIAN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def written_family_first(*parts: str) -> bool:
    """Whether a name in these parts is written family name first (East Asian script)."""
    return any(_EAST_ASIAN.search(part or "") for part in parts)


def compose_full_name(given: str, family: str) -> str:
    """The full name from its parts, in the order its script writes it."""
    given, family = (given or "").strip(), (family or "").strip()
    if written_family_first(given, family):
        return f"{family}{given}"
    return " ".join(part for part in (given, family) if part)


def greeting_name(*, full_name: str, given: str) -> str:
    """What a letter or e-mail says after "Dear": the given name when known, else the name."""
    return (given or "").strip() or (full_name or "").strip()
