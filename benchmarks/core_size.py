"""How big ``src/foldloop/core`` is: lines by ``wc -l``, lines of code, the longest functions.

Lines of code leave out blank lines, comments, and docstrings (of modules, classes and
functions). Issue 10 asks for <= 2,000 lines, no file over 300 and no function over ~60.

    python benchmarks/core_size.py            # totals, files over 300, functions over 60
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "src" / "foldloop" / "core"


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    tree = ast.parse(source)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if (
                first is not None
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                docstrings.update(range(first.lineno, (first.end_lineno or 0) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENDMARKER):  # fmt: skip
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """Functions (methods included) longer than ``limit`` lines, with their lengths."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((node.name, length))
    return found


def main() -> int:
    total = code = 0
    for path in sorted(CORE.glob("*.py")):
        source = path.read_text()
        n = source.count("\n")
        total += n
        code += code_lines(source)
        if n > 300:
            print(f"over 300 lines: {path.name} {n}")
        for name, length in long_functions(source, 60):
            print(f"over 60 lines: {path.name} {name} {length}")
    print(f"src/foldloop/core: {total} lines (wc -l), {code} lines of code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
