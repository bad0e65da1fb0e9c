"""PDF rendering: WeasyPrint with the vendored fonts, Chinese included, nothing fetched."""

from __future__ import annotations

import logging
import re
import zlib

import pytest

from core.pdf import html_to_pdf


def pdf_font_names(pdf: bytes) -> set[str]:
    """The base names of the fonts embedded in ``pdf`` (subset prefixes dropped)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    names = re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z0-9\-]+)", b"".join(chunks))
    return {name.decode() for name in names}


def test_pdf_bytes_are_a_pdf() -> None:
    assert html_to_pdf("<p>Hello</p>").startswith(b"%PDF")


def test_simplified_chinese_is_set_in_the_simplified_font(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf('<html lang="zh-hans"><body><p>联系人 聯絡人</p></body></html>')
    assert "Rapport-SC" in pdf_font_names(pdf)
    assert ".notdef" not in caplog.text


def test_traditional_chinese_is_set_in_the_traditional_font(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf('<html lang="zh-hant"><body><p>聯絡人 商機</p></body></html>')
    assert "Rapport-TC" in pdf_font_names(pdf)
    assert ".notdef" not in caplog.text


def test_a_document_cannot_fetch_from_the_network(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        html_to_pdf('<img src="http://127.0.0.1:9/secret.png"><p>x</p>')
    assert "may not load http://127.0.0.1:9/secret.png" in caplog.text
