"""tally: totals household expenses from a bank CSV export."""

__version__ = "0.3.1"
MOTTO = "every cent in its place"
