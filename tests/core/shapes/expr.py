"""Filter expressions as plain values, and the reference model's own reading of them.

A run shape attaches its handlers with an :data:`Expr`: a description of a filter built from
the atoms of ``foldloop``'s algebra. :func:`holds` decides an expression at a count by
arithmetic alone, never through ``Filter.passes``, so the loop's filters are checked against
an independent interpreter; :func:`to_filter` (in ``drive``) builds the real filter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import attrs
from hypothesis import strategies as st

AtomName = Literal["every", "once", "before", "after", "always", "never", "where"]


@attrs.frozen
class Atom:
    """One atom: ``every(n)``, ``once(*ks)``, ``before(n)``, ``after(n)``, ``always``,
    ``never``, or ``where`` with the predicate ``count % m == r`` (``args == (m, r)``).

    >>> Atom("every", (3,))
    Atom(name='every', args=(3,))
    """

    name: AtomName
    args: tuple[int, ...] = ()


@attrs.frozen
class Or:
    """``left | right``."""

    left: Expr
    right: Expr


@attrs.frozen
class And:
    """``left & right``."""

    left: Expr
    right: Expr


@attrs.frozen
class Not:
    """``~inner``."""

    inner: Expr


Expr = Atom | Or | And | Not

_ATOMS: dict[str, Callable[[int, tuple[int, ...]], bool]] = {
    "every": lambda count, args: count % args[0] == 0,
    "once": lambda count, args: count in args,
    "before": lambda count, args: count < args[0],
    "after": lambda count, args: count > args[0],
    "always": lambda count, args: True,
    "never": lambda count, args: False,
    "where": lambda count, args: count % args[0] == args[1],
}


def holds(expr: Expr, count: int) -> bool:
    """Whether a filter described by ``expr`` passes at ``count``, by the documented rules.

    >>> holds(Or(Atom("every", (4,)), Not(Atom("after", (2,)))), 2)
    True
    >>> [n for n in range(1, 10) if holds(And(Atom("every", (2,)), Atom("before", (7,))), n)]
    [2, 4, 6]
    """
    if isinstance(expr, Or):
        return holds(expr.left, count) or holds(expr.right, count)
    if isinstance(expr, And):
        return holds(expr.left, count) and holds(expr.right, count)
    if isinstance(expr, Not):
        return not holds(expr.inner, count)
    return _ATOMS[expr.name](count, expr.args)


_SMALL = st.integers(min_value=1, max_value=12)


def once_atoms() -> st.SearchStrategy[Expr]:
    """``once(k)`` atoms: the triggers that fire at one point of a run."""
    return st.lists(_SMALL, min_size=1, max_size=2, unique=True).map(
        lambda ks: Atom("once", tuple(sorted(ks)))
    )


def _where_atoms() -> st.SearchStrategy[Expr]:
    return st.integers(min_value=2, max_value=4).flatmap(
        lambda m: st.integers(min_value=0, max_value=m - 1).map(lambda r: Atom("where", (m, r)))
    )


def atoms() -> st.SearchStrategy[Expr]:
    """Every kind of atom, with arguments small enough to fire within a short run."""
    return st.one_of(
        _SMALL.map(lambda n: Atom("every", (n,))),
        once_atoms(),
        st.integers(min_value=2, max_value=12).map(lambda n: Atom("before", (n,))),
        st.integers(min_value=0, max_value=12).map(lambda n: Atom("after", (n,))),
        st.sampled_from([Atom("always"), Atom("never")]),
        _where_atoms(),
    )


def exprs() -> st.SearchStrategy[Expr]:
    """Filter expressions: atoms combined with ``|``, ``&`` and ``~``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(exprs())
    ... def check(expr: Expr) -> None:
    ...     assert holds(Not(expr), 5) != holds(expr, 5)
    >>> check()
    """
    return st.recursive(
        atoms(),
        lambda inner: st.one_of(
            st.builds(Or, inner, inner), st.builds(And, inner, inner), st.builds(Not, inner)
        ),
        max_leaves=4,
    )
