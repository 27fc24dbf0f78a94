from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional

from fundtracker.forms import choices, int_or_none
from fundtracker.services.projects import SORT_KEYS


class ProjectFilterForm(FlaskForm):
    """The list's filters: a GET form, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    area = SelectField(_l("Programme area"), coerce=int_or_none, validators=[Optional()])
    region = SelectField(_l("Region"), coerce=int_or_none, validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    officer = SelectField(_l("Officer"), coerce=int_or_none, validators=[Optional()])
    sort = SelectField(_l("Sort by"), default="code", validators=[Optional()])
    order = SelectField(_l("Order"), default="asc", validators=[Optional()])

    def fill_choices(self, areas, regions, officers, status_labels, locale: str) -> None:
        anything = ("", _l("All"))
        self.area.choices = choices([anything] + [(a.id, a.name(locale)) for a in areas])
        self.region.choices = choices([anything] + [(r.id, r.name(locale)) for r in regions])
        self.status.choices = choices(
            [anything] + [(s.value, label) for s, label in status_labels.items()]
        )
        self.officer.choices = choices([anything] + [(u.id, u.name) for u in officers])
        sort_labels = {
            "code": _l("Code"),
            "title": _l("Title"),
            "organisation": _l("Organisation"),
            "amount": _l("Amount"),
            "start": _l("Start date"),
            "end": _l("End date"),
            "status": _l("Status"),
        }
        self.sort.choices = choices((key, sort_labels[key]) for key in SORT_KEYS)
        self.order.choices = choices([("asc", _l("Ascending")), ("desc", _l("Descending"))])
