from tally.money import format_cents, parse_cents


def test_parse():
    assert parse_cents("12.30") == 1230
    assert parse_cents("-4") == -400
    assert parse_cents("1,234.5") == 123450


def test_format():
    assert format_cents(123450) == "1,234.50"
    assert format_cents(-5) == "-0.05"
