"""Numbers per company: K-000001 exists once in each company."""

from django.db import connection

from accounts.models import NumberCounter


def next_number(company_id: int, kind: str, prefix: str) -> str:
    """The next number of `kind` in the company: "K-000123".

    One statement: insert the counter at 1 or increment it. The row stays locked
    until the caller's transaction ends, so two creations in one company take
    turns and a rolled-back creation gives its number back.
    """
    table = NumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (company_id, kind, value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (company_id, kind) DO UPDATE SET value = {table}.value + 1 "
            "RETURNING value",
            [company_id, kind],
        )
        (value,) = cursor.fetchone()
    return f"{prefix}-{value:06d}"
