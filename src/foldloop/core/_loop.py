"""``Loop``: the handler table for one step function; ``run`` folds it over data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._arguments import NO_DATA
from ._attachers import Attacher, AttacherWithArguments, Detaching, Tapper
from ._events import Event
from ._interrupt import SigintGuard
from ._limits import finished, settled
from ._registry import Handle, Registry
from ._run import Run
from ._state import State
from ._triggers import Trigger
from ._types import Step

T = TypeVar("T")
B = TypeVar("B")
# A loop that takes batches of B takes anything narrower: Loop[T, object] runs on any data.
B_contra = TypeVar("B_contra", contravariant=True)
E = TypeVar("E", bound=Event)
P = ParamSpec("P")


class Loop(Detaching, Generic[T, B_contra]):
    """The handler table for one step; :meth:`run` folds it over data.

    Example:
        >>> from foldloop import IterationCompleted, every, on
        >>> loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
        >>> @loop.on(on(IterationCompleted, every(2)))
        ... def double(state: State[int]) -> State[int]:
        ...     return state.replace(value=state.value * 2)
        >>> loop.run(0, [1, 1, 1, 1]).value  # ((0 + 1 + 1) * 2 + 1 + 1) * 2
        12
    """

    def __init__(self, step: Step[T, B_contra]) -> None:
        if not callable(step):
            raise TypeError(f"Loop takes a step function (state, batch) -> state, got {step!r}")
        self._step = step
        self._registry = Registry()

    @overload
    def attach(
        self,
        trigger: Trigger[E] | type[E],
        handler: Callable[Concatenate[State[T], E, P], State[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Handle: ...

    @overload
    def attach(
        self,
        trigger: Trigger[E] | type[E],
        handler: Callable[Concatenate[State[T], P], State[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Handle: ...

    def attach(
        self,
        trigger: Trigger[E] | type[E],
        handler: Callable[..., State[T]],
        /,
        *args: Any,
        **kwargs: Any,
    ) -> Handle:
        """Run ``handler(state, event, *args, **kwargs)`` or ``handler(state, ...)`` on ``trigger``.

        Handlers of one event run in attach order, before any tap of that event.

        Example:
            >>> from foldloop import Started
            >>> loop: Loop[int, None] = Loop(lambda state, batch: state)
            >>> handle = loop.attach(Started, lambda state, k: state.replace(value=k), 7)
            >>> loop.run(0, None, epoch_length=1).value
            7
        """
        return self._registry.attach(trigger, handler, args, kwargs, is_tap=False)

    @overload
    def tap(self, trigger: Trigger[E] | type[E], /) -> Tapper[T, E]: ...

    @overload
    def tap(
        self,
        trigger: Trigger[E] | type[E],
        fn: Callable[Concatenate[State[T], E, P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Handle: ...

    @overload
    def tap(
        self,
        trigger: Trigger[E] | type[E],
        fn: Callable[Concatenate[State[T], P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Handle: ...

    @overload
    def tap(
        self,
        trigger: Trigger[E] | type[E],
        fn: Callable[P, object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Handle: ...

    def tap(
        self,
        trigger: Trigger[E] | type[E],
        fn: Callable[..., object] | None = None,
        /,
        *args: Any,
        **kwargs: Any,
    ) -> Handle | Tapper[T, E]:
        """Call ``fn`` for IO on ``trigger``; it sees the state and its result is ignored.

        Without ``fn``, a decorator that attaches the function and gives it back (as
        :meth:`on` does for handlers).

        Example:
            >>> from foldloop import Completed, EpochCompleted
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=batch))
            >>> _ = loop.tap(Completed, lambda state: print("last batch", state.value))
            >>> @loop.tap(EpochCompleted)
            ... def report(state: State[int]) -> None:
            ...     print("epoch", state.epoch)
            >>> _ = loop.run(0, [3, 4])
            epoch 1
            last batch 4
        """
        if fn is None:
            if args or kwargs:
                raise TypeError(
                    "loop.tap(trigger) without a function is a decorator and takes no extra "
                    "arguments; write loop.tap(trigger, fn, *args) instead"
                )
            return Tapper(lambda f: self._registry.attach(trigger, f, (), {}, is_tap=True))
        return self._registry.attach(trigger, fn, args, kwargs, is_tap=True)

    @overload
    def on(self, trigger: Trigger[E] | type[E], /) -> Attacher[T, E]: ...

    @overload
    def on(
        self, trigger: Trigger[E] | type[E], /, *args: object, **kwargs: object
    ) -> AttacherWithArguments[T, E]: ...

    def on(
        self, trigger: Trigger[E] | type[E], /, *args: object, **kwargs: object
    ) -> Attacher[T, E] | AttacherWithArguments[T, E]:
        """Decorator form of :meth:`attach`; returns the function unchanged. (With extra
        arguments mypy cannot check the handler's event kind; :meth:`attach` can.)

        Example:
            >>> from foldloop import EpochCompleted
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> @loop.on(EpochCompleted)
            ... def count_epochs(state: State[int]) -> State[int]:
            ...     return state.replace(value=state.value + 1)
            >>> loop.run(0, [1], max_epochs=3).value
            3
        """

        def attach(fn: Callable[..., object]) -> Handle:
            return self._registry.attach(trigger, fn, args, kwargs, is_tap=False)

        if args or kwargs:
            return AttacherWithArguments(attach)
        return Attacher(attach)

    @overload
    def run(
        self,
        initial: State[T] | T,
        data: Iterable[B_contra],
        *,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
    ) -> State[T]: ...

    @overload
    def run(
        self: Loop[T, None],
        initial: State[T] | T,
        data: None,
        *,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
    ) -> State[T]: ...

    def run(
        self,
        initial: State[T] | T,
        data: Iterable[B_contra] | None = NO_DATA,  # type: ignore[assignment]  # refused if left out
        *,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
    ) -> State[T]:
        """Fold the data's events into ``initial`` and return the final state.

        ``initial`` is a :class:`State` or a plain value (then ``State(value=initial)``).
        A state inside a run continues it; a finished state with no larger limit is returned
        unchanged; a terminated one picks up where it stopped.

        Raises:
            RunError: the step, a handler or a tap failed; ``.state`` is the last good state.
            RunInterrupted: Ctrl-C was pressed (in the main thread); ``.state`` is the state
                reached at the end of the iteration or epoch it came in, to go on from.

        Example:
            >>> loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
            >>> final = loop.run(0, [1, 2, 3], max_epochs=2)
            >>> final.value, final.epoch, final.iteration
            (12, 2, 6)
        """
        state = settled(initial, data, max_epochs, epoch_length, max_iters)
        if finished(state):
            return state
        with SigintGuard() as guard:
            return Run(self._step, self._registry, data, False, guard.pressed).to_end(state)

    @overload
    def scan(
        self,
        initial: State[T] | T,
        data: Iterable[B_contra],
        *,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
    ) -> Iterator[tuple[Event, State[T]]]: ...

    @overload
    def scan(
        self: Loop[T, None],
        initial: State[T] | T,
        data: None,
        *,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
    ) -> Iterator[tuple[Event, State[T]]]: ...

    def scan(
        self,
        initial: State[T] | T,
        data: Iterable[B_contra] | None = NO_DATA,  # type: ignore[assignment]  # refused if left out
        *,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
    ) -> Iterator[tuple[Event, State[T]]]:
        """Like :meth:`run`, lazily yielding ``(event, state)`` after each event.

        Stop consuming anywhere (Ignite's ``interrupt()``); ``run`` on the last state continues.
        Arguments are checked when ``scan`` is called, before any event.

        Example:
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> [type(e).__name__ for e, _ in loop.scan(0, [1])][:3]
            ['Started', 'EpochStarted', 'GetBatchStarted']
        """
        state = settled(initial, data, max_epochs, epoch_length, max_iters)
        if finished(state):
            return iter(())
        return Run(self._step, self._registry, data, trace=True).events(state)
