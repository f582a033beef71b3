"""Command line: tally FILE [--budget FILE] [--month YYYY-MM]."""

import argparse
import sys

from tally import MOTTO, __version__
from tally.budget import load_budget, overspent
from tally.categories import categorise
from tally.parse import read_rows
from tally.report import render


def main(argv=None):
    ap = argparse.ArgumentParser(prog="tally")
    ap.add_argument("csv")
    ap.add_argument("--budget")
    ap.add_argument("--month", help="only rows of this month, YYYY-MM")
    ap.add_argument("--version", action="version", version=f"tally {__version__}: {MOTTO}")
    args = ap.parse_args(argv)

    rows = [categorise(r) for r in read_rows(args.csv)]
    if args.month:
        rows = [r for r in rows if r.date.startswith(args.month)]
    budget = load_budget(args.budget) if args.budget else {}
    sys.stdout.write(render(rows, overspent(rows, budget)))
    return 0
