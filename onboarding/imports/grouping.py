"""Which rows of a contact file may be the same person, so they run in the same chunk.

Chunks of one contact import run in parallel (see ``services.import_read``). A row finds the
contact an earlier row made only if that contact is in its chunk or committed before its
chunk read its identities, so every row that *may* be the same person as another is put in
the chunk of the first of them, in file order. "May be" over-approximates what the
identity lookup of ``rows`` matches, never under:

- the source id;
- each e-mail (upper-cased, as the chunk's index keys it);
- each phone by its last seven digits (a row's number matches a stored one when it is an
  ending of at least seven digits of it, so equal endings of seven digits is necessary; a
  number written with digits and separators only ends with the digits of its national
  number, so only other numbers are parsed for it);
- a row with neither e-mail nor phone is looked up by its folded name among the contacts'
  exact search keys, so it joins every row one of whose search keys is that name.

Rows that fail to parse are refused by their chunk wherever they are: they have no keys.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

from crm.search_index import contact_search_columns, fold
from onboarding.imports import values
from onboarding.imports.rows import ParsedRow

#: Digits of a phone that identify it in a grouping key (see the module's docstring).
PHONE_KEY_DIGITS = 7
#: What a row's grouping and the companies it names are read from (other columns are left
#: to the chunk, which reports their problems).
KEY_TARGETS = frozenset(
    {
        "full_name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile",
        "source_id",
        "company",
        "company_domain",
        "company_source_id",
        "tags",
    }
)


@dataclass(frozen=True)
class RowKeys:
    """What one row may be matched by; ``name`` is its folded name when it has no e-mail or
    phone (it is then looked up by name), ``names`` the exact search keys it makes."""

    keys: tuple[str, ...]
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()


#: A phone written with digits and separators only: its national number (and the digits
#: stored for it) end with its own last digits, so no parse is needed to key it.
_PLAIN_PHONE = re.compile(r"[\d\s()+\-./]+")


def _phone_keys(number: str, region: str) -> set[str]:
    written = re.sub(r"\D", "", number)
    candidates = [written]
    if not _PLAIN_PHONE.fullmatch(number):  # an extension, letters: key it as parsed too
        candidates.append(values.phone_identity(number, region=region))
    return {
        "p:" + digits[-PHONE_KEY_DIGITS:]
        for digits in candidates
        if len(digits) >= PHONE_KEY_DIGITS
    }


def row_keys(parsed: ParsedRow, *, region: str) -> RowKeys:
    """The grouping keys of a parsed contact row."""
    fields = parsed.fields
    email = str(fields.get("email", "") or "")
    phones = [str(fields[k]) for k in ("phone", "mobile") if fields.get(k)]
    keys: set[str] = set()
    if parsed.source_id:
        keys.add("s:" + parsed.source_id)
    if email:
        keys.add("e:" + email.upper())
    for number in phones:
        keys |= _phone_keys(number, region)
    first, last = str(fields.get("first_name", "")), str(fields.get("last_name", ""))
    name = "" if email or phones else fold(f"{first} {last}".strip())
    if name:
        keys.add("n:" + name)
    return RowKeys(tuple(sorted(keys)), name, first, last, (email,) if email else ())


def name_keys(row: RowKeys) -> list[str]:
    """The exact search keys a contact made from this row would carry."""
    columns = contact_search_columns(
        first_name=row.first_name, last_name=row.last_name, emails=row.emails, phones=()
    )
    return list(columns.search_keys)


#: Bits of a packed key-and-position for the row's position (16 million rows) and the key's
#: hash (the rest of a signed 64-bit integer).
POSITION_BITS = 24
_POSITION_MASK = (1 << POSITION_BITS) - 1
_KEY_MASK = (1 << (63 - POSITION_BITS)) - 1
#: Buckets the packed keys are kept and sorted in.
_BUCKETS = 256


class Groups:
    """Rows joined through shared keys, in memory that stays small per row: each key of a
    row is kept as one 64-bit integer (the key's hash and the row's position) in an array,
    and the groups are found by sorting them, a bucket at a time (:meth:`moves`). Two keys
    with the same hash only put two rows in one chunk, which is always safe (chunks are
    merely less independent), so hashes are enough. ``searched`` holds the folded names of name-only
    rows: the rows whose contacts such a name finds join them (:meth:`join_names`)."""

    def __init__(self) -> None:
        self.rows = 0
        self.searched: set[str] = set()
        #: Packed keys by the low bits of their hash: one key is always in one bucket, and
        #: sorting a bucket at a time keeps the sort's temporary list small.
        self._buckets = [array("q") for _bucket in range(_BUCKETS)]

    def add(self, row: RowKeys) -> int:
        """The next row, with its keys; returns its position."""
        position = self.rows
        if position > _POSITION_MASK:
            raise ValueError("too many rows to group")
        self.rows += 1
        for key in row.keys:
            self.join(position, key)
        if row.name:
            self.searched.add(row.name)
        return position

    def join(self, position: int, key: str) -> None:
        hashed = hash(key) & _KEY_MASK
        self._buckets[hashed % _BUCKETS].append((hashed << POSITION_BITS) | position)

    def join_names(self, position: int, row: RowKeys) -> None:
        """Join the row at ``position`` to the name-only rows that would find its contact."""
        for key in name_keys(row):
            if key in self.searched:
                self.join(position, "n:" + key)

    def moves(self, *, chunk_rows: int) -> dict[int, int]:
        """Rows to move: position → index of the chunk of its group's first row (only rows
        whose own chunk ``position // chunk_rows`` differs)."""
        parent = array("q", range(self.rows))

        def find(position: int) -> int:
            root = position
            while parent[root] != root:
                root = parent[root]
            while parent[position] != root:  # path compression
                parent[position], position = root, parent[position]
            return root

        for bucket in self._buckets:
            last_key, first = -1, 0
            for packed in sorted(bucket):  # by key, then position: a key's first row first
                key, position = packed >> POSITION_BITS, packed & _POSITION_MASK
                if key != last_key:
                    last_key, first = key, position
                    continue
                one, other = find(first), find(position)
                if one != other:  # the smaller position is the root: the group's first row
                    parent[max(one, other)] = min(one, other)
        moves: dict[int, int] = {}
        for position in range(self.rows):
            target = find(position) // chunk_rows
            if target != position // chunk_rows:
                moves[position] = target
        return moves
