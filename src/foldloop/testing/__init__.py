"""Testing your own pieces of a foldloop run: law checkers, state factories, strategies.

- :func:`check_metric_laws`, :func:`check_filter_laws`, :func:`check_handler_is_pure` check
  a metric, a filter or a handler of yours against the laws foldloop's own obey, and raise an
  ``AssertionError`` that names the law and the inputs where one fails.
- :func:`make_state` builds a state as a run would have it, to call a handler directly.
- :func:`states`, :func:`filters`, :func:`event_kinds` are hypothesis strategies (hypothesis is
  installed with the ``dev`` extra).
"""

from ._factories import make_state as make_state
from ._filter_laws import check_filter_laws as check_filter_laws
from ._handler_laws import check_handler_is_pure as check_handler_is_pure
from ._metric_laws import check_metric_laws as check_metric_laws
from ._strategies import BUILT_IN_KINDS as BUILT_IN_KINDS
from ._strategies import event_kinds as event_kinds
from ._strategies import filters as filters
from ._strategies import states as states

__all__ = [
    "BUILT_IN_KINDS",
    "check_filter_laws",
    "check_handler_is_pure",
    "check_metric_laws",
    "event_kinds",
    "filters",
    "make_state",
    "states",
]
