from tally.parse import read_rows


def test_sample_has_a_refund():
    rows = list(read_rows("data/sample.csv"))
    assert any(r.cents < 0 for r in rows)
    assert all(len(r.date) == 10 for r in rows)
