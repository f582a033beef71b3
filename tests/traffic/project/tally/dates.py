"""Month helpers; the bank writes ISO dates, so plain string slicing is enough."""


def month_of(date):
    return date[:7]


def months(rows):
    return sorted({month_of(r.date) for r in rows})
