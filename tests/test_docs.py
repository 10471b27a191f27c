"""The docs run: every ```python block of ``docs/*.md`` and ``README.md`` is executed.

The blocks of one page run top to bottom in one namespace (a later block uses what an earlier
one defined). A ```python block immediately followed by a ```text block must print exactly that
text (both stripped). Warnings are errors here too, so the docs never warn.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import textwrap
import types
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))

# A fenced block: its indentation, language, body; the closing fence has the same indentation.
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


@attrs.frozen
class Block:
    """A ```python block: its code, where it starts, and the output it must print (if any)."""

    code: str
    line: int
    expected: str | None

    @property
    def first_line(self) -> str:
        return next((ln.strip() for ln in self.code.splitlines() if ln.strip()), "")


def python_blocks(markdown: str, lang: str = "python") -> list[Block]:
    """The ```python blocks (or ```lang ones) of ``markdown`` in order, each with the ```text block
    right after.

    >>> page = "```python\\nprint(1)\\n```\\n\\n```text\\n1\\n```\\n"
    >>> python_blocks(page)
    [Block(code='print(1)\\n', line=1, expected='1')]
    """
    fences = list(_FENCE.finditer(markdown))
    blocks = []
    for i, fence in enumerate(fences):
        if fence["lang"] != lang:
            continue
        following = fences[i + 1] if i + 1 < len(fences) else None
        expected = None
        if (
            following is not None
            and following["lang"] == "text"
            and not markdown[fence.end() : following.start()].strip()
        ):
            expected = textwrap.dedent(following["body"]).strip()
        line = markdown.count("\n", 0, fence.start()) + 1
        blocks.append(Block(textwrap.dedent(fence["body"]), line, expected))
    return blocks


def run_page(path: Path, lang: str = "python") -> None:
    """Execute the page's python blocks (or ```lang ones) in one module namespace; check the
    printed output."""
    name = f"docs_{path.stem.replace('-', '_')}"  # pages print it (a class's module)
    if lang != "python":
        name += f"_{lang.replace('-', '_')}"
    module = types.ModuleType(name)  # a real module, so attrs/dataclasses can find it
    sys.modules[name] = module
    try:
        for block in python_blocks(path.read_text(encoding="utf-8"), lang):
            _run_block(path, block, module.__dict__)
    finally:
        del sys.modules[name]


def _run_block(path: Path, block: Block, namespace: dict[str, object]) -> None:
    where = f"{path.name}, block at line {block.line} starting {block.first_line!r}"
    out = io.StringIO()
    try:
        code = compile(block.code, f"{path.name}:{block.line}", "exec")
        with contextlib.redirect_stdout(out):
            exec(code, namespace)
    except Exception as exc:
        pytest.fail(f"{where} raised {type(exc).__name__}: {exc}\n{out.getvalue()}")
    if block.expected is not None:
        printed = out.getvalue().strip()
        assert printed == block.expected, (
            f"{where} printed:\n{printed}\nexpected:\n{block.expected}"
        )


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_docs_page_runs(page: Path) -> None:
    run_page(page)


def test_readme_runs() -> None:
    run_page(ROOT / "README.md")


def test_concepts_page_exists() -> None:
    assert ROOT / "docs" / "concepts.md" in PAGES


def test_output_mismatch_names_page_and_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n```python\nx = 1\nprint(x + 1)\n```\n```text\n3\n```\n")
    with pytest.raises(AssertionError, match=r"page\.md, block at line 3 starting 'x = 1'"):
        run_page(page)


def test_failure_names_page_and_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n```\n\n```python\nraise ValueError(x)\n```\n")
    with pytest.raises(pytest.fail.Exception, match=r"line 5 starting 'raise ValueError\(x\)'"):
        run_page(page)


def test_text_block_after_prose_is_not_output() -> None:
    page = "```python\nprint(2)\n```\nSome prose.\n```text\ngrammar\n```\n"
    assert python_blocks(page)[0].expected is None
