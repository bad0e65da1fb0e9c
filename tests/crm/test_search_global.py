"""Global search (Ctrl-K) finds records the way people look them up.

Each case is one way of typing a record: an e-mail address or part of it, an e-mail or web
domain, a phone number in another format, a misspelt name, simplified or traditional
characters, pinyin and its initials.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

FOUND = [
    # 1. e-mail, whole or partial, and e-mail domain
    ("tom@bakerbakeries.example.com", "tom"),
    ("TOM@BakerBakeries.example.com", "tom"),
    ("li.wei@jade", "liwei"),
    ("jadegarden", "liwei"),
    ("bakerbakeries.example.com", "tom"),
    # 2. phone numbers in any format
    ("+86 138 0013 8000", "liwei"),
    ("13800138000", "liwei"),
    ("138-0013-8000", "liwei"),
    ("(0)20 7946 0958", "tom"),
    ("020 7946 0958", "tom"),
    ("+44 151 2345 6789", "mary"),
    ("0755 2878 0808", "huawei"),
    ("(021) 5555-0123", "lead"),
    # 3. company website or domain
    ("jadegarden.cn", "jade"),
    ("www.jadegarden.cn", "jade"),
    ("https://jadegarden.cn/about", "jade"),
    ("http://www.bakerbakeries.example.com/en/", "bakery"),
    # 4. names with one letter missing, extra, wrong or swapped
    ("Schmidt", "anna"),
    ("Schmdt", "anna"),
    ("Shmidt", "anna"),
    ("Schmidtt", "anna"),
    ("Scmhidt", "anna"),
    ("Schmitd", "schmidt_deal"),
    ("Bakker", "tom"),
    # 5. Chinese: either script, pinyin with or without spaces, initials, fragments
    ("陳大文", "chen"),
    ("陈大文", "chen"),
    ("大文", "chen"),
    ("chendawen", "chen"),
    ("chen da wen", "chen"),
    ("cdw", "chen"),
    ("张伟", "zhangwei"),
    ("張偉", "zhangwei"),
    ("zhangwei", "zhangwei"),
    ("zhang wei", "zhangwei"),
    ("Zhang Wei", "zhangwei"),
    ("zw", "zhangwei"),
    ("李伟", "liwei"),
    ("李偉", "liwei"),
    ("liwei", "liwei"),
    ("華為", "huawei"),
    ("华为", "huawei"),
    ("huawei", "huawei"),
    ("王小明", "lead"),
    ("xiaoming", "lead"),
    ("wxm", "lead"),
    ("翡翠园", "jade"),
    ("陈大文 renewal", "deal"),
    # Names given first, family name first or as one full name
    ("Mary Smith", "mary"),
    ("Smith Mary", "mary"),
    ("Smith", "mary"),
    ("weili", "liwei"),
]


@pytest.mark.parametrize(("typed", "handle"), FOUND)
def test_global_search_finds_the_record(people, searcher, typed, handle) -> None:
    """Typing ``typed`` into global search lists the record among the results."""
    content = searcher.get("/search/", {"q": typed}).content.decode()
    assert people[handle].get_absolute_url() in content


@pytest.mark.parametrize(
    ("typed", "handle"),
    [
        ("Schmidt", "tom"),
        ("jadegarden.cn", "tom"),
        ("+86 138 0013 8001", "liwei"),
        ("陈小文", "chen"),
        ("cw", "chen"),
        ("Sxhmixt", "anna"),
    ],
)
def test_global_search_leaves_out_records_that_do_not_match(
    people, searcher, typed, handle
) -> None:
    """Another name, address, number, character or two wrong letters: not listed."""
    content = searcher.get("/search/", {"q": typed}).content.decode()
    assert people[handle].get_absolute_url() not in content


def test_global_search_of_punctuation_alone_finds_nothing(people, searcher) -> None:
    """``@@`` has nothing to look for: the palette says so instead of listing everything."""
    content = searcher.get("/search/", {"q": "@@"}).content.decode()
    assert "data-search-result" not in content
