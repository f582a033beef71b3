"""Writes category totals back out as CSV, for spreadsheets."""

import csv
import io

from tally.money import format_cents
from tally.report import totals


def to_csv(rows):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["category", "amount"])
    for category, cents in totals(rows).items():
        w.writerow([category, format_cents(cents)])
    return buf.getvalue()
