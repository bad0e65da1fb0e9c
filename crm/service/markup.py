"""Article bodies rendered safely: Markdown without raw HTML, or plain text with line breaks."""

from __future__ import annotations

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from crm.service.models import Article, ArticleFormat

#: CommonMark with raw HTML turned off (``<script>`` shows as text) and markdown-it's link
#: check, which refuses ``javascript:``, ``vbscript:``, ``file:`` and most ``data:`` links.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_article(article: Article) -> SafeString:
    if article.body_format == ArticleFormat.MARKDOWN:
        return mark_safe(_MARKDOWN.render(article.body))  # noqa: S308 -- raw HTML is disabled
    return mark_safe(linebreaks(escape(article.body)))  # noqa: S308 -- escaped first
