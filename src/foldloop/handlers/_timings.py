"""``Timing``: the seconds spent on something, and how many times."""

from __future__ import annotations

import attrs


@attrs.frozen
class Timing:
    """Total seconds over ``count`` occurrences.

    Example:
        >>> Timing(3.0, 2).mean
        1.5
    """

    total: float
    count: int

    @property
    def mean(self) -> float:
        """Seconds per occurrence (0 when there were none).

        Example:
            >>> Timing(0.0, 0).mean
            0.0
        """
        return self.total / self.count if self.count else 0.0

    def plus(self, seconds: float) -> Timing:
        """One more occurrence, of ``seconds``.

        Example:
            >>> Timing(1.0, 1).plus(2.0)
            Timing(total=3.0, count=2)
        """
        return Timing(self.total + seconds, self.count + 1)


def table(sections: dict[str, dict[str, Timing]]) -> str:
    """The timings as an aligned text table, one block per section.

    Example:
        >>> print(table({"loop": {"step": Timing(2.0, 4)}}))
        loop      total s  count   mean ms
          step      2.000      4   500.000
    """
    names = [n for rows in sections.values() for n in rows] + list(sections)
    width = max(map(len, names), default=0) + 4
    lines = []
    for section, rows in sections.items():
        lines.append(f"{section:<{width}}{'total s':>9}{'count':>7}{'mean ms':>10}")
        lines += [
            f"  {name:<{width - 2}}{t.total:>9.3f}{t.count:>7}{t.mean * 1e3:>10.3f}"
            for name, t in rows.items()
        ]
    return "\n".join(lines)
