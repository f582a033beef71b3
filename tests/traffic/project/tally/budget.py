"""Monthly budget per category, from a TOML file: [budget] groceries = "400.00"."""

import tomllib

from tally.money import parse_cents
from tally.report import totals


def load_budget(path):
    with open(path, "rb") as f:
        table = tomllib.load(f).get("budget", {})
    return {category: parse_cents(str(limit)) for category, limit in table.items()}


def overspent(rows, budget):
    spent = totals(rows)
    return {c for c, limit in budget.items() if spent.get(c, 0) > limit}
