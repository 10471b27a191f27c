"""Glue between the repository's files and the documentation site (``make docs``).

Its parts, all so that the site is built from the files as they are, never from copies:

- a mkdocs hook (``on_page_markdown``): the home page (``docs/index.md``) is ``README.md``, read
  at build time; its links, relative to the repository root, are made relative to ``docs/``,
  and its ``docs/<page>.md`` mentions become links, so a renamed page breaks the strict build;
  and in tables, a ``\\|`` in code (GitHub's spelling of ``|`` there) becomes ``|``;
- a griffe extension (``PublicExports``): foldloop's docstrings use the Google-style
  ``Example:`` heading, which griffe reads as an admonition (its ``>>>`` lines then render as
  nested quotes); it is read as an ``Examples:`` section, shown as code. And in packages
  without ``__all__``, ``from ._x import name as name`` (PEP 484's explicit re-export) marks
  ``name`` public, as mypy reads it, so the API reference lists every public name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import griffe

_README_LINK = re.compile(r"\]\(docs/")
_README_PAGE = re.compile(r"`docs/(?P<page>[\w-]+\.md)`")
_TABLE_ROW = re.compile(r"^\|.*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_EXAMPLE_HEADING = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    """The home page is ``README.md``, its links made to work from ``docs/``; table cells read
    as on GitHub."""
    # Any: mkdocs's Page and MkDocsConfig are not typed for mypy.
    if page.file.src_uri == "index.md":
        readme = Path(config["config_file_path"]).parent / "README.md"
        markdown = _README_LINK.sub("](", readme.read_text(encoding="utf-8"))
        markdown = _README_PAGE.sub(r"[`\g<page>`](\g<page>)", markdown)
    return _TABLE_ROW.sub(_unescape_pipes_in_code, markdown)


def _unescape_pipes_in_code(row: re.Match[str]) -> str:
    """GitHub needs ``\\|`` for a ``|`` in a table cell, code included, and shows ``|``;
    Python-Markdown shows the backslash in code, and needs no escape there."""
    return _CODE_SPAN.sub(lambda code: code[0].replace("\\|", "|"), row[0])


class PublicExports(griffe.Extension):
    """Read ``Example:`` as an examples section; ``import x as x`` as a public re-export."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:  # Any: griffe's hook API
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE_HEADING.sub(r"\g<indent>Examples:", obj.docstring.value)

    def on_module_members(
        self,
        *,
        node: ast.AST | griffe.ObjectNode,
        mod: griffe.Module,
        **kwargs: Any,  # Any: griffe's hook API
    ) -> None:
        if not isinstance(node, ast.Module) or mod.exports:
            return
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom):
                for imported in statement.names:
                    if imported.asname == imported.name and imported.name in mod.members:
                        mod.members[imported.name].public = True
