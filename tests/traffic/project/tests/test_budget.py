from tally.budget import overspent
from tally.parse import Row


def test_overspent():
    rows = [Row("2024-03-01", "a", 50_000, "groceries")]
    assert overspent(rows, {"groceries": 40_000}) == {"groceries"}
    assert overspent(rows, {"groceries": 60_000}) == set()
