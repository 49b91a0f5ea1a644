from odoo import api, fields, models
from odoo.exceptions import ValidationError

STATUS_CODES = [
    ("potential", "Potential"),
    ("in_work", "In Work"),
    ("real", "Real"),
    ("lost", "Lost"),
    ("inactive", "Inactive"),
]
STATUS_CATEGORIES = [
    ("potential", "Potential Clients"),
    ("in_work", "In Work"),
    ("real", "Real Clients"),
    ("lost", "Lost Clients"),
]
# Statuses that last a number of days before the client becomes «Упущенный».
DECAYING = ("potential", "real")


class DealerCrmStatus(models.Model):
    """A CRM status of a client in a direction. The five records are shared by all
    directions; the rules that set them key on ``code``."""

    _name = "dealer.crm.status"
    _description = "CRM Status"
    _inherit = ["dealer.checked.mixin"]
    _order = "sequence, id"

    code = fields.Selection(STATUS_CODES, required=True, readonly=True)
    name = fields.Char(required=True, translate=True)
    # The codes staff know (П, ВР, Р, У, НА), the same in every language.
    short_name = fields.Char(required=True)
    days_to_lost = fields.Integer(
        string="Days Until Lost",
        help="How many days the status lasts without a new document (real) or contact "
        "(potential) before the client becomes lost. Directions may override it.",
        aggregator=None,
    )
    category = fields.Selection(STATUS_CATEGORIES, required=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    direction_day_ids = fields.One2many(
        "dealer.crm.status.direction", "status_id", string="Days per Direction"
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A CRM status with this code already exists."),
    ]

    @api.constrains("days_to_lost", "code")
    def _check_days_to_lost(self):
        for status in self:
            _check_days(self.env, status, status.days_to_lost)

    def _days_for(self, direction):
        """Days until lost for ``direction``: its override, else the status's."""
        self.ensure_one()
        override = self.direction_day_ids.filtered(lambda line: line.direction_id == direction)
        return override[:1].days_to_lost or self.days_to_lost


class DealerCrmStatusDirection(models.Model):
    """The days a status lasts, for one direction (the seed's status table is per
    direction). A direction without a line uses the status's own days."""

    _name = "dealer.crm.status.direction"
    _description = "CRM Status Days per Direction"
    _inherit = ["dealer.checked.mixin"]
    _order = "direction_id, status_id"

    status_id = fields.Many2one("dealer.crm.status", required=True, ondelete="cascade")
    direction_id = fields.Many2one("dealer.direction", required=True, ondelete="cascade")
    days_to_lost = fields.Integer(string="Days Until Lost", required=True, aggregator=None)

    _sql_constraints = [
        (
            "status_direction_unique",
            "UNIQUE(status_id, direction_id)",
            "The days of this status are already set for this direction.",
        ),
    ]

    @api.constrains("days_to_lost", "status_id")
    def _check_days_to_lost(self):
        for line in self:
            _check_days(self.env, line.status_id, line.days_to_lost)


def _check_days(env, status, days):
    if days < 0:
        raise ValidationError(
            env._(
                "The days until lost of %(status)s cannot be negative (%(days)s).",
                status=status.name,
                days=days,
            )
        )
    if status.code in DECAYING and days == 0:
        raise ValidationError(
            env._("%(status)s needs a number of days until lost.", status=status.name)
        )
