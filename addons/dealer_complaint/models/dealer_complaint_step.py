from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

SATISFACTION = [
    ("dissatisfied", "☹ Client Dissatisfied"),
    ("neutral", "😐 Neutral"),
    ("satisfied", "😊 Client Satisfied"),
]


class DealerComplaintStep(models.Model):
    """A step taken on an appeal («Комментарии» of the complaint book): what was done,
    by whom in which position, and how the client felt after it — «Плохо помыта
    машина ☹ → Принесены извинения 😊»."""

    _name = "dealer.complaint.step"
    _description = "Appeal Step"
    _inherit = ["dealer.checked.mixin"]
    _order = "date, id"
    _rec_name = "body"

    complaint_id = fields.Many2one(
        "dealer.complaint", string="Appeal", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="complaint_id.company_id", store=True, string="Branch")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users",
        string="Author",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    position = fields.Char(default=lambda self: self.env.user.partner_id.function)
    body = fields.Text(string="Step", required=True)
    satisfaction = fields.Selection(SATISFACTION, help="How the client felt after this step.")

    # --- checks ---------------------------------------------------------------------
    def _check_appeal_open(self, complaints):
        for complaint in complaints:
            if complaint.state in ("closed", "cancelled"):
                raise UserError(
                    self.env._(
                        "The appeal %s is closed: reopen it to change its steps.", complaint.name
                    )
                )

    def _check_author(self):
        """Steps are the author's own: others may not rewrite what they said, except
        a supervisor of the branch."""
        me = self.env.user
        for step in self:
            if step.user_id == me or step.complaint_id._is_branch_supervisor():
                continue
            raise AccessError(
                self.env._(
                    "Only %(author)s, who wrote it, or a supervisor of the branch can change "
                    "this step.",
                    author=step.user_id.name,
                )
            )

    # --- create and write ---------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The author is whoever writes the step, whatever a form or RPC says.
            if not self.env.su or not vals.get("user_id"):
                vals["user_id"] = self.env.uid
        complaints = self.env["dealer.complaint"].browse(
            {vals["complaint_id"] for vals in vals_list if vals.get("complaint_id")}
        )
        self._check_appeal_open(complaints)
        # Adding a step is working the appeal: whoever may edit it.
        complaints.check_access("write")
        steps = super().create(vals_list)
        steps._post_in_chatter()
        steps.complaint_id._start()
        return steps

    def write(self, vals):
        if "complaint_id" in vals or "user_id" in vals:
            raise UserError(self.env._("A step stays with its appeal and its author."))
        self._check_author()
        self._check_appeal_open(self.complaint_id)
        return super().write(vals)

    def unlink(self):
        self._check_author()
        self._check_appeal_open(self.complaint_id)
        return super().unlink()

    def _post_in_chatter(self):
        labels = dict(self._fields["satisfaction"]._description_selection(self.env))
        for step in self:
            body = Markup("<p><b>%s</b></p>%s") % (self.env._("Step"), plaintext2html(step.body))
            if step.satisfaction:
                body += Markup("<p>%s</p>") % labels[step.satisfaction]
            step.complaint_id.message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
