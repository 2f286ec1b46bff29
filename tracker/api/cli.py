"""`flask token create USERNAME --name NAME [--scope read|write]`: a token from the shell."""
import datetime as dt

import click
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import User


@click.group("token")
def token_group():
    """Make personal access tokens for the API."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (shown on the "
              "account page).")
@click.option("--scope", "scope_name", type=click.Choice(["read", "write"]),
              default="read", show_default=True)
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day the token works (YYYY-MM-DD); none by default.")
def create_token_command(username, name, scope_name, expires):
    """Make a token for USERNAME and print it (it is shown only this once)."""
    from tracker.api.tokens import create_token
    from tracker.models.audit import record

    user = db.session.scalar(select(User).where(User.username == username.strip()),
                             execution_options={"all_boards": True})
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    if not user.is_active:
        raise click.ClickException(f"User {username!r} is deactivated.")
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    expires_on = expires.date() if expires else None
    if expires_on is not None and expires_on < dt.date.today():
        raise click.BadParameter("is in the past", param_hint="--expires")
    row, secret = create_token(user, name, scope_name, expires_on)
    event = record(user, "updated", None, note="flask token create", changes={
        "api_token": [None, f"{row.name} ({row.scope}, {row.prefix}…)"]})
    event.board_id = user.board_id  # the account's board, not the first one
    db.session.commit()
    click.echo(secret)
