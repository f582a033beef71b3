"""Money as integer cents: parsing and formatting, no floats anywhere."""


def parse_cents(text):
    """'12.30' -> 1230, '-4' -> -400, '1,234.5' -> 123450."""
    text = text.strip().replace(",", "")
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("+-").partition(".")
    cents = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -cents if negative else cents


def format_cents(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"
