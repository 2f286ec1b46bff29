"""`flask remind`: due and overdue notices, safe to run twice or on two servers."""
import datetime as dt

import click

from tracker.extensions import db


@click.command("remind")
@click.option("--today", "on", metavar="YYYY-MM-DD",
              help="Compute as of this day (default: today, or the TODAY setting).")
def remind_command(on):
    """Write due-soon and overdue notices for every board's open quarters."""
    from tracker.i18n import today
    from tracker.notifications.services import remind, reminder_days

    try:
        days = reminder_days()
    except ValueError as exc:
        raise click.ClickException(str(exc))
    if on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            raise click.ClickException(f"Expected a date as YYYY-MM-DD, got {on!r}.")
    else:
        day = today()
    db.session.commit()  # end what was read, so the reminders begin afresh
    written = remind(day, days)
    db.session.commit()
    click.echo(f"Reminders for {day.isoformat()}: {written} new notification(s).")
    from tracker.notifications.mail import is_configured, send_digests, send_immediate

    if not is_configured():
        click.echo("No mail server configured (TRACKER_MAIL_SERVER): nothing mailed.")
        return
    sent = send_immediate()
    digests = send_digests()
    click.echo(f"Mailed {sent} notification(s) and {digests} daily digest(s).")
