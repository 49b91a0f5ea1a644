from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import check_vals


class DealerCheckedMixin(models.AbstractModel):
    """Refuses with a clear, translated error what the client sends that the
    database would reject with a traceback: control characters in text, dates
    outside 1900–2100, values of the wrong type; and moves a record to another
    branch only for a supervisor of both. Every model of the suite that staff or
    integrators write to inherits it."""

    _name = "dealer.checked.mixin"
    _description = "Checked Client Input"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        check_vals(self, vals)
        if vals.get("company_id") and "company_id" in self._fields and not self.env.su:
            self._check_branch_move(vals["company_id"])
        return super().write(vals)

    def _check_state(self, allowed, action):
        """Refuse ``action`` (translated, as in «it cannot be <action>») to the records
        not in one of the ``allowed`` states."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        for record in self:
            if record.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(model)s %(number)s is %(state)s: it cannot be %(action)s.",
                        model=self.env["ir.model"]._get(self._name).name,
                        number=record[self._rec_name],
                        state=labels[record.state].lower(),
                        action=action,
                    )
                )

    # --- who may do what ------------------------------------------------------------
    def _is_dealer_admin(self):
        return self.env.su or self.env.user.has_group("dealer_base.group_dealer_admin")

    def _is_branch_supervisor(self):
        """The current user supervises the branches of all these records."""
        user = self.env.user
        return self._is_dealer_admin() or (
            user.has_group("dealer_base.group_dealer_supervisor")
            and self.company_id <= user.company_ids
        )

    def _check_branch_move(self, company_id):
        target = self.env["res.company"].browse(company_id)
        moved = self.filtered(lambda record: record.company_id != target)
        user = self.env.user
        allowed = (
            user.has_group("dealer_base.group_dealer_supervisor")
            and (moved.company_id | target) <= user.company_ids
        )
        if moved and not allowed:
            raise AccessError(
                self.env._(
                    "Only a supervisor of both branches can move %(record)s to %(branch)s.",
                    record=moved[:1].display_name,
                    branch=target.sudo().name,  # sudo: name the branch even if not allowed
                )
            )
