from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date, format_datetime

DEFAULT_WINDOW_MONTHS = 36


class DealerDirection(models.Model):
    _inherit = "dealer.direction"

    crm_window_months = fields.Integer(
        string="Category Window (months)",
        default=DEFAULT_WINDOW_MONTHS,
        help="Documents of this many months back from the calculation date, both ends "
        "included, count for the amount, count and average check categories.",
        aggregator=None,
    )
    crm_range_ids = fields.One2many(
        "dealer.segmentation.range", "direction_id", string="Category Ranges"
    )
    crm_source_ids = fields.One2many(
        "dealer.segmentation.source", "direction_id", string="Document Sources"
    )
    crm_status_day_ids = fields.One2many(
        "dealer.crm.status.direction", "direction_id", string="Status Days"
    )
    crm_average_check = fields.Float(
        string="Average Document",
        digits=(16, 2),
        readonly=True,
        help="The direction's average document (total / count) in the window, as of the "
        "last nightly calculation; the average check category compares clients to it.",
    )
    crm_user_id = fields.Many2one(
        "res.users",
        string="CRM Responsible",
        domain="[('share', '=', False)]",
        help="Wins back the clients of this direction who have no personal manager when "
        "they are lost.",
    )
    crm_computed_at = fields.Datetime(string="Categories Calculated At", readonly=True)
    crm_window_label = fields.Char(string="Calculation", compute="_compute_crm_window_label")

    @api.constrains("crm_window_months")
    def _check_crm_window_months(self):
        for direction in self:
            if direction.crm_window_months <= 0:
                raise ValidationError(
                    self.env._(
                        "The category window of %(direction)s must be at least one month, "
                        "not %(months)s.",
                        direction=direction.name,
                        months=direction.crm_window_months,
                    )
                )

    @api.depends("crm_computed_at", "crm_window_months")
    def _compute_crm_window_label(self):
        for direction in self:
            if not direction.crm_computed_at:
                direction.crm_window_label = False
                continue
            end = self.env["dealer.partner.status"]._today(direction.crm_computed_at)
            start = end - relativedelta(months=direction.crm_window_months)
            # As the seed shows it: «18.01.2017 17:25 [18.01.2014–18.01.2017]».
            direction.crm_window_label = "{} [{}–{}]".format(
                format_datetime(self.env, direction.crm_computed_at, dt_format="short"),
                format_date(self.env, start),
                format_date(self.env, end),
            )

    @api.model_create_multi
    def create(self, vals_list):
        directions = super().create(vals_list)
        directions._dealer_segmentation_setup()
        return directions

    @api.model
    def _dealer_segmentation_setup_all(self):
        directions = self.with_context(active_test=False).search([])  # pylint: disable=no-search-all
        return directions._dealer_segmentation_setup()

    def _dealer_segmentation_setup(self):
        """Give each direction the seed's category ranges and the default document
        source when it has none, so that a new direction works at once."""
        ranges = self.env["dealer.segmentation.range"]
        sources = self.env["dealer.segmentation.source"]
        range_vals, source_vals = [], []
        for direction in self:
            range_vals += ranges._default_vals(direction)
            if not direction.with_context(active_test=False).crm_source_ids:
                source_vals.append(sources._default_vals(direction))
        ranges.create(range_vals)
        sources.create(source_vals)
        return True
