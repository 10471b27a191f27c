"""The snippets here are checked by mypy (tests/test_typing.py), never collected by pytest.

Some fail on purpose, and ``--doctest-modules`` would otherwise import every one of them.
"""

collect_ignore = ["pass", "fail"]
