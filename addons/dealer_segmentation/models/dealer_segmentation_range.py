from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import formatLang

METRICS = [
    ("amount", "Amount of Documents"),
    ("count", "Number of Documents"),
    ("recency", "Days Since the Last Document"),
    ("avg_check", "Average Check"),
]
LETTERS = [("A", "A"), ("B", "B"), ("C", "C")]
# Staff read the categories in Cyrillic, as in the client's code «САСА».
CYRILLIC = {"A": "А", "B": "В", "C": "С"}
# The seed's tables: lower bound → letter. Recency runs the other way: recent is best.
DEFAULT_RANGES = {
    "amount": ((0, "C"), (50001, "B"), (100001, "A")),
    "count": ((0, "C"), (2, "B"), (6, "A")),
    "recency": ((0, "A"), (91, "B"), (181, "C")),
    "avg_check": ((0, "C"), (0.91, "B"), (1.01, "A")),
}
# Shown as the upper bound of the highest range, as in the seed.
TOP_BOUND = 1_000_000_000
DIGITS = {"amount": 0, "count": 0, "recency": 0, "avg_check": 2}


class DealerSegmentationRange(models.Model):
    """One ABC category of a metric in a direction, stored by its lower bound: a
    value falls in the range with the highest lower bound it reaches, so the ranges
    of a metric never leave gaps nor overlap."""

    _name = "dealer.segmentation.range"
    _description = "Client Category Range"
    _inherit = ["dealer.checked.mixin"]
    _order = "direction_id, metric, lower_bound"
    _rec_names_search = ["letter"]

    direction_id = fields.Many2one(
        "dealer.direction", required=True, ondelete="cascade", index=True
    )
    metric = fields.Selection(METRICS, required=True)
    letter = fields.Selection(LETTERS, string="Category", required=True)
    lower_bound = fields.Float(string="From", digits=(16, 2), required=True)
    upper_bound = fields.Float(string="To", digits=(16, 2), compute="_compute_upper_bound")

    # Duplicates are refused by _check_metric_tables with a clear message (a SQL
    # constraint would fire first, with the database's).

    @api.depends("direction_id", "metric", "lower_bound")
    def _compute_upper_bound(self):
        for line in self:
            step = 0.01 if line.metric == "avg_check" else 1
            higher = [
                other.lower_bound
                for other in line._siblings()
                if other.lower_bound > line.lower_bound
            ]
            line.upper_bound = min(higher) - step if higher else TOP_BOUND

    @api.depends("letter", "lower_bound", "upper_bound", "metric")
    def _compute_display_name(self):
        for line in self:
            if not line.letter:
                line.display_name = ""
                continue
            digits = DIGITS.get(line.metric, 0)
            lower = formatLang(self.env, line.lower_bound, digits=digits)
            upper = formatLang(self.env, line.upper_bound, digits=digits)
            line.display_name = f"{CYRILLIC[line.letter]} {lower}–{upper}"

    def _siblings(self):
        self.ensure_one()
        return self.direction_id.crm_range_ids.filtered(lambda r: r.metric == self.metric)

    @api.constrains("lower_bound", "letter", "metric", "direction_id")
    def _check_ranges(self):
        for line in self:
            if line.lower_bound < 0:
                raise ValidationError(
                    self.env._(
                        "A category cannot start below zero (%(value)s).", value=line.lower_bound
                    )
                )
        self._check_metric_tables({(line.direction_id, line.metric) for line in self})

    def _check_metric_tables(self, keys):
        labels = dict(self._fields["metric"]._description_selection(self.env))
        for direction, metric in keys:
            lines = self.search([("direction_id", "=", direction.id), ("metric", "=", metric)])
            bounds = lines.mapped("lower_bound")
            letters = lines.mapped("letter")
            message = None
            if len(set(bounds)) != len(bounds):
                message = self.env._("two categories start at the same value")
            elif len(set(letters)) != len(letters):
                message = self.env._("a category appears twice")
            elif 0 not in bounds:
                message = self.env._("no category starts at 0, which leaves a gap")
            if message:
                raise ValidationError(
                    self.env._(
                        "The categories of %(metric)s in %(direction)s are not valid: %(problem)s.",
                        metric=labels[metric],
                        direction=direction.name,
                        problem=message,
                    )
                )

    def unlink(self):
        keys = {(line.direction_id, line.metric) for line in self}
        result = super().unlink()
        self._check_metric_tables({(d, m) for d, m in keys if d.exists()})
        return result

    @api.model
    def _default_vals(self, direction):
        """The seed's ranges for ``direction``, for the metrics it has none of."""
        present = set(direction.crm_range_ids.mapped("metric"))
        return [
            {"direction_id": direction.id, "metric": metric, "letter": letter, "lower_bound": bound}
            for metric, ranges in DEFAULT_RANGES.items()
            if metric not in present
            for bound, letter in ranges
        ]
