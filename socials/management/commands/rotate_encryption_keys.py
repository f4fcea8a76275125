from django.core.management.base import BaseCommand
from django.db import connection, transaction

from socials.fields import PREFIX, EncryptedTextField, rotate
from socials.models import Account


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored token with the newest key in FIELD_ENCRYPTION_KEYS. "
        "Put the new key first, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        columns = [f.column for f in Account._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        table = connection.ops.quote_name(Account._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        rotated = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {quoted} FROM {table}")  # noqa: S608 (names from the model)
            for pk, *values in cursor.fetchall():
                updates = {c: rotate(v) for c, v in zip(columns, values) if v and v.startswith(PREFIX)}
                if updates:
                    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in updates)
                    cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*updates.values(), pk])  # noqa: S608
                    rotated += 1
        self.stdout.write(f"Re-encrypted the tokens of {rotated} account(s).")
