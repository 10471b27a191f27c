"""``Loop.attachments()``: what is attached, in attach order, as public records."""

from __future__ import annotations

from foldloop import Attached, IterationCompleted, Loop, Started, State, every, on


def test_the_attachments_are_the_loops_in_attach_order() -> None:
    loop: Loop[int, int] = Loop(lambda state, batch: state)

    def keep(state: State[int]) -> State[int]:
        return state

    handle = loop.attach(on(IterationCompleted, every(2)), keep)
    loop.tap(Started, print)
    assert loop.attachments() == (
        Attached(keep.__qualname__, on(IterationCompleted, every(2)), False, keep),
        Attached("print", on(Started), True, print),
    )
    handle.remove()
    assert [a.fn for a in loop.attachments()] == [print]


def test_a_partly_detached_listener_keeps_its_other_kinds() -> None:
    loop: Loop[int, int] = Loop(lambda state, batch: state)
    loop.tap(on(Started) | on(IterationCompleted, every(3)), print)
    loop.detach(print, Started)
    (only,) = loop.attachments()
    assert only.trigger == on(IterationCompleted, every(3))


def test_a_partly_detached_handler_keeps_its_place_among_the_others() -> None:
    fired: list[str] = []
    loop: Loop[int, int] = Loop(lambda state, batch: state)
    loop.tap(on(Started) | on(IterationCompleted), lambda: fired.append("first"))
    loop.tap(Started, lambda: fired.append("second"))
    first = loop.attachments()[0].fn
    loop.detach(first, IterationCompleted)
    loop.run(0, [1])
    assert fired == ["first", "second"]
    assert loop.attachments()[0].fn is first
