from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models, tools
from odoo.models import parse_read_group_spec
from odoo.tools import SQL

CLIENT_TYPES = [
    ("person", "Private Person"),
    ("company", "Company"),
    ("partner", "Partner"),
    ("employee", "Employee"),
    ("unknown", "Not Identified"),
]
CONTACT_ORDERS = [("first", "First"), ("repeat", "Repeat")]
OPEN_STATES = ("new", "queued", "assigned", "in_progress")
# The tag that makes a client (or their company) count as a partner of the dealership.
PARTNER_TAG_XMLID = ("dealer_traffic", "partner_category_partner")
# The reason the automatic ignoring gives (dealer.traffic._cron_auto_ignore).
TIMEOUT_REASON_XMLID = ("dealer_traffic", "ignore_reason_timeout")


def period_domain(env, date_from, date_to, direction_ids=None):
    """The domain of the contacts from ``date_from`` to ``date_to`` (dates, or their
    string form), both days included, in the user's time zone; of ``direction_ids``
    when given."""
    tz = pytz.timezone(env.context.get("tz") or env.user.tz or "UTC")
    bounds = []
    for day in (fields.Date.to_date(date_from), fields.Date.to_date(date_to) + timedelta(days=1)):
        local = tz.localize(datetime.combine(day, time.min))
        bounds.append(fields.Datetime.to_string(local.astimezone(pytz.utc).replace(tzinfo=None)))
    domain = [("date", ">=", bounds[0]), ("date", "<", bounds[1])]
    if direction_ids:
        domain.append(("direction_id", "in", list(direction_ids)))
    return domain


def _state_selection(self):
    return self.env["dealer.traffic"]._fields["state"]._description_selection(self.env)


class DealerTrafficReportMixin(models.AbstractModel):
    """What the traffic reports share: one row per contact (its id is the contact's),
    with the contact's dimensions, and a ``median`` aggregate for pivots and lists.

    A report is a SQL view: ``_report_measures`` gives its own columns over the
    contact ``t`` (and ``_report_from`` what it joins)."""

    _name = "dealer.traffic.report.mixin"
    _description = "Traffic Report Columns"
    _auto = False
    _order = "date desc, id desc"

    traffic_id = fields.Many2one("dealer.traffic", string="Contact", readonly=True)
    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    direction_id = fields.Many2one("dealer.direction", readonly=True)
    goal_id = fields.Many2one("dealer.contact.goal", string="Contact Goal", readonly=True)
    goal_kind = fields.Selection(
        [("incoming", "Incoming"), ("outgoing", "Outgoing")], readonly=True
    )
    channel_id = fields.Many2one("dealer.traffic.channel", readonly=True)
    source_id = fields.Many2one("utm.source", string="Information Source", readonly=True)
    user_id = fields.Many2one("res.users", string="Consultant", readonly=True)
    registrar_id = fields.Many2one("res.users", string="Registered By", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    interest_brand_id = fields.Many2one(
        "fleet.vehicle.model.brand", string="Brand of Interest", readonly=True
    )
    interest_model_id = fields.Many2one(
        "fleet.vehicle.model", string="Model of Interest", readonly=True
    )
    state = fields.Selection(selection=_state_selection, string="Status", readonly=True)
    contact_order = fields.Selection(
        CONTACT_ORDERS,
        string="First / Repeat",
        readonly=True,
        help="Repeat: the client contacted this direction before and the contact was taken "
        "into work. Contacts nobody took count as first.",
    )
    client_type = fields.Selection(
        CLIENT_TYPES,
        readonly=True,
        help="Employee: the client is a user of the system or works for one of its "
        "companies. Partner: the client or their company has the tag «Dealership "
        "Partner». Company: a company or one of its contacts. Not identified: no client "
        "on the contact.",
    )
    traffic_count = fields.Integer(string="Contacts", readonly=True)

    # --- the view ------------------------------------------------------------------
    @api.model
    def _report_columns(self):
        """The dimension columns of the contact ``t``."""
        partner_tag = SQL(
            "(SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s)",
            *PARTNER_TAG_XMLID,
        )
        return SQL(
            """
            t.id, t.id AS traffic_id, t.date, t.company_id, t.direction_id, t.goal_id,
            t.goal_kind, t.channel_id, t.source_id, t.user_id, t.registrar_id, t.partner_id,
            t.interest_brand_id, t.interest_model_id, t.state,
            CASE WHEN t.is_repeat AND t.taken_date IS NOT NULL THEN 'repeat' ELSE 'first' END
                AS contact_order,
            CASE
                WHEN t.partner_id IS NULL THEN 'unknown'
                WHEN EXISTS (SELECT 1 FROM res_users u
                              WHERE u.partner_id = t.partner_id AND u.share IS NOT TRUE)
                  OR EXISTS (SELECT 1 FROM res_partner p
                               JOIN res_company c ON c.partner_id = p.commercial_partner_id
                              WHERE p.id = t.partner_id) THEN 'employee'
                WHEN EXISTS (SELECT 1 FROM res_partner p
                               JOIN res_partner_res_partner_category_rel tag
                                 ON tag.partner_id IN (p.id, p.commercial_partner_id)
                              WHERE p.id = t.partner_id AND tag.category_id = %(partner_tag)s)
                     THEN 'partner'
                WHEN (SELECT company.is_company FROM res_partner p
                        JOIN res_partner company ON company.id = p.commercial_partner_id
                       WHERE p.id = t.partner_id) THEN 'company'
                ELSE 'person'
            END AS client_type,
            1 AS traffic_count
            """,
            partner_tag=partner_tag,
        )

    @api.model
    def _report_measures(self):
        """The report's own columns, over the contact ``t``."""
        return SQL()

    @api.model
    def _report_from(self):
        return SQL("dealer_traffic t")

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        measures = self._report_measures()
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (SELECT %s%s FROM %s)",
                SQL.identifier(self._table),
                self._report_columns(),
                SQL(", %s", measures) if measures.code else SQL(),
                self._report_from(),
            )
        )

    # --- grouping ------------------------------------------------------------------
    @api.model
    def _read_group(  # noqa: PLR0917 (Odoo's signature)
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """As Odoo's, but when the groups come in their default order (as the pivot and
        the graph ask them) they are grouped by the bare columns and put in that order
        here: ordering many2one groups in SQL joins their tables to every row and
        groups by the names too, which costs more than the report itself over a month
        of contacts."""
        default = ",".join(groupby)
        if not groupby or offset or limit or having or (order and order != default):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        rows = super()._read_group(domain, groupby, aggregates, having)
        keys = [
            self._report_group_key(spec, [row[i] for row in rows]) for i, spec in enumerate(groupby)
        ]
        return sorted(rows, key=lambda row: tuple(key(row[i]) for i, key in enumerate(keys)))

    @api.model
    def _report_group_key(self, spec, values):
        """A sort key of the groups' ``values`` of ``spec`` in Odoo's order of groups:
        many2one groups in their model's order, others by value; empty ones last."""
        fname = spec.split(":")[0]
        field = self._fields[fname]
        if field.type == "many2one":
            records = self.env[field.comodel_name].union(*values)
            # sudo: only the order of records whose names the groups show anyway.
            ordered = (
                records.sudo().with_context(active_test=False).search([("id", "in", records.ids)])
            )
            rank = {record_id: index for index, record_id in enumerate(ordered.ids)}
            return lambda record: (not record, rank.get(record.id, len(rank)))
        if field.type == "boolean":
            return bool
        return lambda value: (value is None or value is False, value or 0)

    # --- medians -------------------------------------------------------------------
    def _read_group_select(self, aggregate_spec, query):
        """``field:median`` as well as Odoo's aggregates (pivot and list use the
        field's aggregator): the median of the non-empty values."""
        if aggregate_spec != "__count":
            fname, property_name, func = parse_read_group_spec(aggregate_spec)
            if func == "median":
                field = self._fields.get(fname)
                if property_name or not field or field.type not in ("integer", "float"):
                    raise ValueError(f"Invalid median aggregate {aggregate_spec!r}.")
                return SQL(
                    "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %s)",
                    self._field_to_sql(self._table, fname, query),
                )
        return super()._read_group_select(aggregate_spec, query)

    # --- drill-down: from the report's rows to the contacts and their tasks -------
    def action_open_traffic(self):
        """The contacts of these rows (a row's id is its contact's)."""
        traffic = self.env["dealer.traffic"].browse(self.ids)
        if len(traffic) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "dealer.traffic",
                "res_id": traffic.id,
                "view_mode": "form",
                "views": [(self.env.ref("dealer_traffic.dealer_traffic_view_form").id, "form")],
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Contacts"),
            "res_model": "dealer.traffic",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("dealer_traffic.dealer_traffic_view_list").id, "list"),
                (self.env.ref("dealer_traffic.dealer_traffic_view_form").id, "form"),
            ],
            "domain": [("id", "in", traffic.ids)],
        }

    def action_open_tasks(self):
        """The tasks these rows' contacts produced."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Tasks"),
            "res_model": "project.task",
            "view_mode": "list,form",
            "domain": [("traffic_id", "in", self.ids)],
            "context": {"create": False},
        }
