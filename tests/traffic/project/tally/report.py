"""Renders category totals as a plain text table."""

from collections import defaultdict

from tally.money import format_cents


def totals(rows):
    out = defaultdict(int)
    for r in rows:
        out[r.category] += r.cents
    return dict(sorted(out.items()))


def render(rows, over=()):
    lines = []
    for category, cents in totals(rows).items():
        flag = "  OVER BUDGET" if category in over else ""
        lines.append(f"{category:<14}{format_cents(cents):>12}{flag}")  # TODO: real widths
    lines.append(f"{'total':<14}{format_cents(sum(r.cents for r in rows)):>12}")
    return "\n".join(lines) + "\n"
