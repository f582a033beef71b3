from tally.parse import Row
from tally.report import render, totals


def test_totals_group_by_category():
    rows = [Row("2024-03-01", "a", 100, "x"), Row("2024-03-02", "b", 50, "x")]
    assert totals(rows) == {"x": 150}


def test_render_flags_overspending():
    rows = [Row("2024-03-01", "a", 100, "x")]
    assert "OVER BUDGET" in render(rows, {"x"})
