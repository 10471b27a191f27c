"""``docs/ignite.md`` ("Coming from Ignite") covers Ignite's "Events and Handlers" page.

Every example of that page (Ignite 0.5's concepts page "Events and Handlers", with the filter,
``|`` and custom-event examples of ``ignite.engine.events.Events``, its "State" page's state
attributes and ``Engine.terminate``/``terminate_epoch``) is listed below by the heading of its
section on ``docs/ignite.md``; each listed section must pair Ignite's code (a ```ignite block)
with foldloop's (a ```python block). The Ignite blocks run here against pytorch-ignite 0.5.5 and
must print what the page shows; the foldloop blocks run in ``tests/test_docs.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_docs import python_blocks, run_page

PAGE = Path(__file__).resolve().parent.parent / "docs" / "ignite.md"

# The examples of Ignite's "Events and Handlers" page, by the heading that pairs each one.
IGNITE_EXAMPLES: tuple[str, ...] = (
    "The order of events",  # the fire_event pseudo-code of Engine.run
    "Attaching a handler",  # add_event_handler(Events.STARTED, lambda ...)
    "The `on` decorator",  # @trainer.on(...), with and without the engine argument
    "Handlers with arguments",  # add_event_handler(Events.COMPLETED, handler, mydata)
    "Removing a handler",  # remove_event_handler, has_event_handler, handle.remove()
    "A handler for one run",  # `with engine.add_event_handler(...):` to reuse an engine
    "The evaluator after every epoch",  # trainer's EPOCH_COMPLETED runs the evaluator
    "`every`",  # Events.X(every=n)
    "`once`",  # Events.X(once=k)
    "`before` and `after`",  # Events.X(before=b, after=a)
    "`every` with `before` and `after`",  # Events.X(every=5, before=25, after=8)
    "A custom event filter",  # Events.X(event_filter=f)
    "Combining events and filters",  # Events.A | Events.B(every=3)
    "Custom events",  # EventEnum, register_events, fire_event, event_to_attr
    "State attributes",  # engine.state.epoch / iteration / output / new_attribute
    "Ending the run: `terminate`",  # engine.terminate()
    "Ending the epoch: `terminate_epoch`",  # engine.terminate_epoch()
)
# Ignite's built-in handlers and metrics, mapped to foldloop's.
BUILT_INS: tuple[str, ...] = ("Built-in handlers", "Metrics")
# Sections whose pair only sets up what the later blocks share.
SETUP: tuple[str, ...] = ("Coming from Ignite", "Filters")

_HEADING = re.compile(r"^#{1,6} (?P<title>.+)$", re.MULTILINE)


def pairs_by_section(markdown: str) -> dict[str, tuple[int, int]]:
    """``{heading: (ignite blocks, python blocks)}`` for each section of ``markdown``.

    A section runs from its heading to the next heading of any level.

    >>> page = "# A\\n```ignite\\nx\\n```\\n```python\\nx\\n```\\n## B\\n```python\\ny\\n```\\n"
    >>> pairs_by_section(page)
    {'A': (1, 1), 'B': (0, 1)}
    """
    headings = list(_HEADING.finditer(markdown))
    sections = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.start() if following is not None else len(markdown)
        body = markdown[heading.end() : end]
        sections[heading["title"]] = (
            len(python_blocks(body, "ignite")),
            len(python_blocks(body, "python")),
        )
    return sections


def unpaired(markdown: str, topics: tuple[str, ...]) -> list[str]:
    """The topics without a section that pairs each Ignite block with a foldloop one."""
    sections = pairs_by_section(markdown)
    return [
        topic
        for topic in topics
        if sections.get(topic, (0, 0))[0] == 0 or sections[topic][0] != sections[topic][1]
    ]


def test_every_ignite_example_has_a_pair() -> None:
    markdown = PAGE.read_text(encoding="utf-8")
    assert unpaired(markdown, IGNITE_EXAMPLES + BUILT_INS) == []
    pairs = sum(pairs_by_section(markdown)[topic][0] for topic in IGNITE_EXAMPLES)
    assert pairs >= len(IGNITE_EXAMPLES)


def test_every_pair_on_the_page_is_listed() -> None:
    """A section added to the page with an Ignite block is added to the lists above too."""
    sections = pairs_by_section(PAGE.read_text(encoding="utf-8"))
    with_ignite = {title for title, (ignite, _) in sections.items() if ignite}
    assert with_ignite == set(IGNITE_EXAMPLES + BUILT_INS + SETUP)


def test_a_missing_pair_is_found() -> None:
    page = "## `every`\n```ignite\na\n```\n```python\nb\n```\n## `once`\n```ignite\nc\n```\n"
    assert unpaired(page, ("`every`", "`once`", "Custom events")) == ["`once`", "Custom events"]


def test_ignite_side_runs_on_ignite_and_prints_what_the_page_shows() -> None:
    run_page(PAGE, "ignite")
