"""The application's PostgreSQL role: everything it needs, and on the audit log only what
appending needs (README "Audit log: key, rotation, checkpoints, database role").

With it even SQL run as the application (an injection, a stolen connection string) cannot UPDATE,
DELETE or TRUNCATE an entry; the HMAC key and the checkpoints catch whoever holds a stronger role.
Run migrations as the tables' owner, serve the portal as this role, and grant again after each
migrate so new tables are covered.
"""

from django.db import connection, transaction
from psycopg import sql

from .models import AuditChainHead, AuditEvent


class DatabaseRoleRefused(Exception):
    """The role cannot be limited: not PostgreSQL, a superuser, or the tables' owner."""


def _refuse_unlimited_role(role: str) -> None:
    if connection.vendor != "postgresql":
        raise DatabaseRoleRefused("database roles need PostgreSQL")
    tables = [AuditEvent._meta.db_table, AuditChainHead._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is not None and row[0]:
            raise DatabaseRoleRefused(f"{role} is a superuser: no grant can limit it")
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE tablename = ANY(%s) AND tableowner = %s", [tables, role]
        )
        if cursor.fetchone() is not None:
            raise DatabaseRoleRefused(f"{role} owns the audit tables: no grant can limit it")


@transaction.atomic
def audit_database_role_grant(*, role: str, password: str = "") -> list[str]:
    """Create ``role`` if needed (LOGIN), give it the portal's tables and, on the audit tables,
    only SELECT and INSERT (plus UPDATE of the head's two columns, which every append moves).
    Returns what it did, one line each."""
    _refuse_unlimited_role(role)
    done: list[str] = []
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
            done.append(f"created role {role}")
        if password:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(name), [password])
            done.append(f"set the password of {role}")
        database = sql.Identifier(connection.settings_dict["NAME"])
        event = sql.Identifier(AuditEvent._meta.db_table)
        head = sql.Identifier(AuditChainHead._meta.db_table)
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
            sql.SQL("REVOKE ALL ON {}, {} FROM {}").format(event, head, name),
            sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(event, name),
            # SELECT … FOR UPDATE on the head needs UPDATE; only its two columns, never DELETE.
            sql.SQL("GRANT SELECT, INSERT, UPDATE (sequence, last_hash) ON {} TO {}").format(
                head, name
            ),
        ]
        for statement in statements:
            cursor.execute(statement)
    done.append(f"granted {role} the portal's tables")
    done.append(f"{role} may only SELECT and INSERT on {AuditEvent._meta.db_table}")
    return done
