from odoo import fields, models


class DealerTaskReturnWizard(models.TransientModel):
    """A supervisor returns done tasks to work, with the reason."""

    _name = "dealer.task.return.wizard"
    _description = "Return Task to Work"

    task_ids = fields.Many2many("project.task", string="Tasks", required=True)
    comment = fields.Text(
        required=True, help="Why the tasks go back to work: sent to the assignees."
    )

    def action_confirm(self):
        self.task_ids.action_dealer_return(self.comment)
        return {"type": "ir.actions.act_window_close"}
