"""Reads the bank's CSV export into Row objects."""

import csv
from dataclasses import dataclass

from tally.money import parse_cents


@dataclass
class Row:
    date: str  # ISO date, YYYY-MM-DD
    payee: str
    cents: int  # negative for refunds
    category: str = ""


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            yield Row(
                date=rec["date"].strip(),
                payee=rec["payee"].strip(),
                cents=parse_cents(rec["amount"]),
                category=(rec.get("category") or "").strip(),
            )
