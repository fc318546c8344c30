"""Markdown to HTML for the preview and for exports, with raw HTML shown as text, never run.

Memories come from anywhere (a pasted e-mail, a transcript), so `<script>` or any other
tag in them must appear as the characters typed. Python-Markdown passes raw HTML
through by default; removing its two HTML handlers makes it escape such text instead.
"""

from __future__ import annotations

import markdown
from markdown.extensions import Extension


class _NoRawHTML(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def to_html(text: str) -> str:
    """Safe HTML for a Markdown text (a fragment, no <html> wrapper)."""
    return markdown.markdown(text, extensions=[_NoRawHTML(), "sane_lists"], output_format="html")
