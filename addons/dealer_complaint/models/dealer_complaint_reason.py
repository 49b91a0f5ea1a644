from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression


class DealerComplaintReason(models.Model):
    """The reason of an appeal, in two levels: a group («КАЧЕСТВО», «ПРИЕМКА»,
    «Гарантия»…) and its categories, numbered as in the complaint book's reports
    («1 КАЧЕСТВО: ТОиР, претензии по качеству работ»)."""

    _name = "dealer.complaint.reason"
    _description = "Appeal Reason"
    _inherit = ["dealer.checked.mixin"]
    _parent_store = True
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name"]
    _order = "sequence, code, id"

    name = fields.Char(required=True, translate=True)
    parent_id = fields.Many2one(
        "dealer.complaint.reason",
        string="Group",
        index=True,
        ondelete="restrict",
        domain="[('parent_id', '=', False), ('id', '!=', id)]",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("dealer.complaint.reason", "parent_id", string="Categories")
    # Not stored: names are translated, and a stored translation of the full name
    # would be the one computed first, which translation files never overwrite.
    complete_name = fields.Char(
        string="Full Name",
        compute="_compute_complete_name",
        search="_search_complete_name",
    )
    code = fields.Integer(
        string="Number",
        default=0,
        help="The category's number in the reports of the complaint book.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    @api.depends("name", "parent_id.name")
    @api.depends_context("lang")
    def _compute_complete_name(self):
        for reason in self:
            if reason.parent_id:
                reason.complete_name = f"{reason.parent_id.name}: {reason.name}"
            else:
                reason.complete_name = reason.name

    def _search_complete_name(self, operator, value):
        """By the full name as shown: «GROUP: category», or a part of either."""
        if operator not in ("ilike", "=ilike", "like", "=", "not ilike") or not isinstance(
            value, str
        ):
            raise UserError(self.env._("Reasons are searched by their name as text."))
        negative = operator == "not ilike"
        operator = "ilike" if negative else operator
        group, separator, category = value.partition(":")
        if separator and group.strip() and category.strip():
            domain = [
                ("parent_id.name", operator, group.strip()),
                ("name", operator, category.strip()),
            ]
        else:
            domain = expression.OR(
                [[("name", operator, value)], [("parent_id.name", operator, value)]]
            )
        return ["!", *expression.normalize_domain(domain)] if negative else domain

    @api.constrains("parent_id")
    def _check_two_levels(self):
        for reason in self:
            if reason.parent_id and (reason.parent_id.parent_id or reason.child_ids):
                raise ValidationError(
                    self.env._(
                        "Reasons have two levels: a group and its categories. %s cannot be "
                        "put under another category.",
                        reason.name,
                    )
                )
