"""Forms for accounts and units."""
import re

from flask_babel import gettext as _
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.validators import ValidationError

from tracker.admin import services
from tracker.auth.forms import password_rules
from tracker.forms import Form, Visible, choices
from tracker.i18n import lazy as _l
from tracker.models import UNIT_KINDS, USER_ROLES
from tracker.models.unit import GROUP, listed, subtree_ids
from tracker.tasks.forms import MultiCheckboxField, strip

USERNAME = re.compile(r"^[A-Za-z0-9._-]+$")
# Indents a unit's name in the "Under" list by its depth in the tree (no-break
# spaces: a browser keeps them at the start of an option).
PARENT_INDENT = "\u00a0\u00a0\u00a0"


def _unit_options(units):
    # An outside body or a group has no accounts: nobody reports for it. A village
    # comes after its commune, named under it (tracker.models.unit.listed).
    return [
        (unit.id, label if unit.is_active else _("%(name)s (inactive)", name=label))
        for unit, label in listed(units) if unit.is_scored
    ]


class UserEditForm(Form):
    """An account's name, role and units."""

    full_name = StringField(
        _l("Full name"),
        validators=[Length(max=200, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    role = SelectField(_l("Role"), choices=choices(USER_ROLES.items()))
    units = MultiCheckboxField(_l("Units the person reports for"), coerce=int)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units.choices = choices(_unit_options(units))


class PasswordForm(Form):
    """A new password, typed twice (tracker.auth.passwords says which are refused)."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter the password.")), password_rules],
    )
    confirm = PasswordField(_l("Repeat the password"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def password_context(self):
        """Return whose password this is: the account's."""
        return {"user": self.user}

    def validate_confirm(self, field):
        """Require the same password twice."""
        if field.data != self.password.data:
            raise ValidationError(_("The two passwords differ."))


class UserForm(UserEditForm, PasswordForm):
    """A new account: username, name, role, units and a first password."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter the username.")),
            Length(min=2, max=60, message=_l("From %(min)d to %(max)d characters.")),
        ],
        filters=[strip],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter the password.")), password_rules],
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, units=units, **kwargs)
        self.all_units = list(units)

    def password_context(self):
        """Return whose password this is: the account being created."""
        chosen = set(self.units.data or ())
        return {
            "username": self.username.data or "",
            "full_name": self.full_name.data or "",
            "units": [unit for unit in self.all_units if unit.id in chosen],
        }

    def validate_username(self, field):
        """Allow letters, digits, dot, dash and underscore; refuse a taken name."""
        if not USERNAME.match(field.data or ""):
            raise ValidationError(
                _("Use only unaccented letters, digits, dots, dashes and underscores.")
            )
        if services.username_taken(field.data):
            raise ValidationError(_("This username is already taken."))


class UnitForm(Form):
    """A unit's names, kind, place in the hierarchy and display order."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter the unit's name.")),
            Visible(_l("Enter the unit's name.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
        filters=[strip],
    )
    short_name = StringField(
        _l("Short name"),
        validators=[
            DataRequired(_l("Enter the short name.")),
            Visible(_l("Enter the short name.")),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
        filters=[strip],
    )
    # Groups are made on their own pages (GroupForm).
    kind = SelectField(_l("Kind"), choices=choices(
        (key, label) for key, label in UNIT_KINDS.items() if key != GROUP))
    # Checked by validate_parent_id, which says why a unit is refused.
    parent_id = SelectField(_l("Under"), coerce=int, validate_choice=False)
    sort_order = IntegerField(
        _l("Display order"),
        default=0,
        validators=[
            InputRequired(_l("Enter a whole number from %(min)s to %(max)s.")),
            NumberRange(
                0, 100_000, _l("Enter a whole number from %(min)s to %(max)s.")
            ),
        ],
    )

    def __init__(self, *args, unit=None, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from tracker.units.services import tree

        self.unit = unit
        # Not the unit itself nor a unit below it (that would make a loop), and not
        # a group or an outside body: units sit under the board's own units. The
        # choices are indented as the tree is, so an admin sees the levels.
        self.excluded = (subtree_ids(unit.id, units) if unit is not None
                         else set())
        current = unit.parent_id if unit is not None else None
        options = [(0, _("— none —"))] + [
            (item.id, PARENT_INDENT * depth + item.name)
            for item, depth in tree(units)
            if item.id not in self.excluded and (item.is_scored or item.id == current)
        ]
        self.parent_id.choices = choices(options)

    def _taken(self, column, value):
        import unicodedata

        from sqlalchemy import select

        from tracker.extensions import db
        from tracker.models import Unit

        # Compared in Python: SQLite lowers ASCII letters only ("Đ" stays "Đ").
        def key(text):
            return unicodedata.normalize("NFC", text).casefold()

        rows = db.session.execute(select(Unit.id, column)).all()
        own = self.unit.id if self.unit is not None else None
        return any(key(name) == key(value) for unit_id, name in rows if unit_id != own)

    def validate_parent_id(self, field):
        """Refuse a loop or a unit not offered; require the unit above a village."""
        from tracker.models.unit import BELOW_COMMUNE

        if field.data in self.excluded:
            raise ValidationError(_(
                "A unit cannot be placed under itself or under a unit below it."))
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(field.gettext("Not a valid choice."))
        if self.kind is not None and self.kind.data in BELOW_COMMUNE and not field.data:
            raise ValidationError(_(
                "Choose the commune (or the unit) this %(kind)s belongs to.",
                kind=str(UNIT_KINDS[self.kind.data]).lower()))

    def validate_name(self, field):
        """Refuse a name another unit has."""
        from tracker.models import Unit

        if field.data and self._taken(Unit.name, field.data):
            raise ValidationError(_("Another unit already has this name."))

    def validate_short_name(self, field):
        """Refuse a short name another unit has."""
        from tracker.models import Unit

        if field.data and self._taken(Unit.short_name, field.data):
            raise ValidationError(_("Another unit already has this short name."))

    def unit_data(self):
        """Return the fields as a dict for the unit services."""
        return {
            "name": self.name.data,
            "short_name": self.short_name.data,
            "kind": self.kind.data,
            "parent_id": self.parent_id.data or None,
            "sort_order": self.sort_order.data,
        }


class GroupForm(UnitForm):
    """A group of units: its names, display order and members."""

    kind = None
    parent_id = None
    members = MultiCheckboxField(
        _l("Members"),
        coerce=int,
        validators=[DataRequired(_l("Choose the group's members."))],
    )

    def __init__(self, *args, unit=None, units=(), **kwargs):
        super(UnitForm, self).__init__(*args, **kwargs)
        self.unit = unit
        # Members are the board's own units: not groups, not outside bodies; an
        # inactive member already in the group stays offered.
        kept = {member.id for member in unit.members} if unit is not None else set()
        self.members.choices = choices(_unit_options(
            [item for item in units if item.is_scored
             and (item.is_active or item.id in kept)]))

    def unit_data(self):
        """Return the fields as a dict for the group services."""
        return {
            "name": self.name.data,
            "short_name": self.short_name.data,
            "kind": GROUP,
            "parent_id": None,
            "sort_order": self.sort_order.data,
        }
