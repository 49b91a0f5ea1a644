from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError


class DealerTraffic(models.Model):
    """What the traffic journal (seed 000 «Журнал входящего трафика») shows beside
    the contact's own fields: the client's phone, the document (task) the contact
    produced, and a date range from–to to search."""

    _inherit = "dealer.traffic"  # pylint: disable=consider-merging-classes-inherited

    client_phone = fields.Char(
        compute="_compute_client_phone",
        help="The phone given with the contact, else the identified client's.",
    )
    document_task_id = fields.Many2one(
        "project.task",
        string="Document",
        compute="_compute_document_task_id",
        help="The task the contact produced, the latest one when there are several.",
    )
    date_from = fields.Date(
        compute="_compute_date_range",
        search="_search_date_from",
        help="Search only: contacts of this day and later (in your time zone).",
    )
    date_to = fields.Date(
        compute="_compute_date_range",
        search="_search_date_to",
        help="Search only: contacts of this day and earlier (in your time zone).",
    )

    @api.depends("contact_phone", "partner_id.mobile", "partner_id.phone")
    def _compute_client_phone(self):
        for traffic in self:
            partner = traffic.partner_id
            traffic.client_phone = traffic.contact_phone or partner.mobile or partner.phone

    @api.depends("task_ids")
    def _compute_document_task_id(self):
        for traffic in self:
            traffic.document_task_id = traffic.task_ids.sorted("id", reverse=True)[:1]

    def _compute_date_range(self):
        self.date_from = self.date_to = False

    def _search_date_from(self, operator, value):
        start = self._journal_day_start(operator, value, ("=", ">="), self.env._("Date From"))
        return [("date", ">=", start)]

    def _search_date_to(self, operator, value):
        start = self._journal_day_start(operator, value, ("=", "<="), self.env._("Date To"))
        return [("date", "<", start + timedelta(days=1))]

    def _journal_day_start(self, operator, value, operators, label):
        """The start of the day ``value`` in the user's time zone, in UTC (naive, as
        Odoo stores datetimes)."""
        if operator not in operators:
            raise UserError(
                self.env._(
                    "%(field)s is searched with a day, not with the operator %(operator)s.",
                    field=label,
                    operator=operator,
                )
            )
        try:
            day = fields.Date.to_date(value) if value else False
        except (TypeError, ValueError):
            day = False
        if not day:
            raise UserError(
                self.env._("%(field)s needs a day, not %(value)r.", field=label, value=value)
            )
        try:
            zone = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            zone = pytz.utc
        start = zone.localize(datetime.combine(day, time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)
