"""`zoneplan users {list,set}`: the local users file (ZONEPLAN_USERS) the app and the CLI sign in with.

Only admins manage users: with a users file the CLI signs in as ZONEPLAN_USER / ZONEPLAN_PASSWORD; a first
admin is created with ``--bootstrap`` when the file does not exist yet. The password is read from the
environment variable named by ``--password-env`` (never from the command line, which other users can see)."""

from __future__ import annotations

import os
from pathlib import Path

from geodata.datadir import DataError


def register(sub) -> None:
    p = sub.add_parser("users", help="list users, add a user or change a role/password (admins)")
    s = p.add_subparsers(dest="action", required=True)
    a = s.add_parser("list")
    a.add_argument("--json", action="store_true")
    a = s.add_parser("set")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["viewer", "editor", "admin"])
    a.add_argument("--password-env", help="name of an environment variable holding the new password")
    a.add_argument("--bootstrap", action="store_true", help="create the users file with this first admin")
    p.set_defaults(func=run)


def run(args) -> int:
    from zones.cli import print_json
    from zones.cli.main import cli_user
    from zones.service.auth import LOCAL, USERS_ENV, load_users, set_user, users_file

    path = users_file()
    if path is None:
        raise DataError(f"set {USERS_ENV} to the users file (TOML) to manage users")
    if args.action == "list":
        acting = cli_user()
        if not acting.can_manage_users():
            raise DataError(f"user {acting.name} ({acting.role}) may not manage users")
        users = load_users(path)
        rows = [{"name": n, "role": u["role"]} for n, u in sorted(users.items())]
        print_json({"users": rows}) if args.json else print("\n".join(f"{r['name']}\t{r['role']}" for r in rows))
        return 0
    pw = os.environ.get(args.password_env) if args.password_env else None
    if args.password_env and pw is None:
        raise DataError(f"environment variable {args.password_env} is not set")
    if args.bootstrap:
        if Path(path).exists():
            raise DataError(f"{path} exists: --bootstrap only creates a new users file")
        if args.role != "admin" or pw is None:
            raise DataError("--bootstrap creates the first admin: --role admin and --password-env are needed")
        acting = LOCAL
    else:
        acting = cli_user()
    set_user(path, acting, args.name, args.role, pw)
    print(f"user {args.name}: {args.role}")
    return 0
