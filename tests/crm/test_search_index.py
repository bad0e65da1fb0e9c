"""What records are indexed under and how a query is read (``crm.search_index``)."""

from __future__ import annotations

import pytest

from crm.search_index import (
    company_search_columns,
    contact_search_columns,
    fold,
    one_letter_off,
    pinyin_readings,
    read_query,
)


def test_fold_writes_traditional_characters_simplified() -> None:
    """陳大文, 張偉 and 華為 fold to 陈大文, 张伟 and 华为."""
    assert fold("陳大文 張偉 華為") == "陈大文 张伟 华为"


def test_fold_converts_characters_one_by_one() -> None:
    """A character folds the same alone as inside a phrase (乾 in 乾隆 and alone)."""
    assert fold("乾隆")[0] == fold("乾")


def test_fold_drops_accents_and_case_and_narrows_full_width() -> None:
    """Müller, MULLER and MULLER in full-width letters fold alike."""
    assert fold("Müller") == fold("MULLER") == fold("\uff2d\uff35\uff2c\uff2c\uff25\uff32")


def test_fold_drops_pinyin_tone_marks() -> None:
    """Zhāng Wěi typed with tones folds to zhang wei."""
    assert fold("Zhāng Wěi") == "zhang wei"


def test_pinyin_reads_a_family_name_with_its_family_name_reading_too() -> None:
    """曾国藩 is indexed as ceng guo fan (everyday) and zeng guo fan (family name)."""
    assert pinyin_readings("曾国藩")[:2] == [["ceng", "guo", "fan"], ["zeng", "guo", "fan"]]


def test_pinyin_spells_u_umlaut_as_v_and_u() -> None:
    """吕 is both lv and lu, as people type it."""
    assert {"".join(reading) for reading in pinyin_readings("吕布")} == {"lvbu", "lubu"}


def test_a_contact_is_known_by_both_name_orders() -> None:
    """伟 (first) 李 (last) is found as 李伟, 伟李, liwei, weili, lw and wl."""
    columns = contact_search_columns(first_name="伟", last_name="李", emails=[], phones=[])
    assert {"李伟", "伟李", "liwei", "weili", "lw", "wl"} <= set(columns.search_keys)


def test_chinese_characters_are_separate_tokens() -> None:
    """陳大文 is indexed as the tokens 陈 大 文, so 大文 is a run of whole tokens."""
    columns = contact_search_columns(first_name="", last_name="陳大文", emails=[], phones=[])
    assert " 陈 大 文 " in columns.search_text


def test_e_mail_domains_are_keys() -> None:
    """tom@bakerbakeries.example.com is known by its domain exactly."""
    columns = contact_search_columns(
        first_name="Tom", last_name="Baker", emails=["Tom@BakerBakeries.example.com"], phones=[]
    )
    assert "bakerbakeries.example.com" in columns.search_keys


def test_phone_numbers_are_kept_as_digits() -> None:
    """+86 138-0013 8000 is stored as 8613800138000."""
    columns = contact_search_columns(
        first_name="", last_name="Li", emails=[], phones=["+86 138-0013 8000"]
    )
    assert columns.search_phones == " 8613800138000 "


def test_a_company_is_known_by_its_domain() -> None:
    """Jade Garden's domain is one of its keys."""
    columns = company_search_columns(name="Jade Garden", domain="jadegarden.cn", phone="")
    assert "jadegarden.cn" in columns.search_keys


def test_typo_keys_cover_words_of_five_letters_or_more() -> None:
    """Schmidt gets one-letter-off keys; Tom and Li get none."""
    columns = contact_search_columns(first_name="Tom", last_name="Schmidt", emails=[], phones=[])
    assert set(columns.search_typos) == set(one_letter_off("schmidt"))


@pytest.mark.parametrize(
    ("typo", "word"),
    [("schmdt", "schmidt"), ("schmidtt", "schmidt"), ("scmhidt", "schmidt"), ("smiht", "smith")],
)
def test_one_letter_off_spellings_share_a_key(typo: str, word: str) -> None:
    """A missing, extra, swapped or wrong letter leaves a key in common with the word."""
    assert set(one_letter_off(typo)) & set(one_letter_off(word))


def test_two_letters_off_share_no_key() -> None:
    """Sxhmixt is two letters off Schmidt: no key in common."""
    assert not set(one_letter_off("sxhmixt")) & set(one_letter_off("schmidt"))


@pytest.mark.parametrize(
    "typed", ["https://jadegarden.cn/about", "www.jadegarden.cn", "http://www.jadegarden.cn:8080/"]
)
def test_a_web_address_is_read_as_its_domain(typed: str) -> None:
    """Scheme, www., port and path are left out."""
    assert read_query(typed).keys == ["jadegarden.cn"]


@pytest.mark.parametrize(
    "typed", ["+86 138 0013 8000", "13800138000", "138-0013-8000", "(+86) 138.0013.8000"]
)
def test_a_phone_number_is_read_by_its_last_eight_digits(typed: str) -> None:
    """Every format of one number gives the same digits to compare."""
    assert read_query(typed).phone_tail == "00138000"


def test_six_digits_are_no_phone_number() -> None:
    """A short number (an order number, a year) is searched as text only."""
    assert read_query("138001").phone_tail == ""


def test_a_query_of_punctuation_alone_asks_for_nothing() -> None:
    """``@@`` has no word to look up."""
    assert not read_query("@@")


def test_query_words_of_chinese_are_runs_of_tokens() -> None:
    """大文 is looked up as the tokens 大 文, one after the other."""
    assert read_query("大文").words[0].contains == " 大 文"


def test_short_latin_words_are_looked_up_as_word_starts() -> None:
    """``zw`` (too short for a trigram) must start a token; ``zhang`` may occur anywhere."""
    words = read_query("zw zhang").words
    assert [w.contains for w in words] == [" zw", "zhang"]
