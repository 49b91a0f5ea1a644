from odoo import api, fields, models
from odoo.tools import create_index

# What moves a client's status when it changes on a task.
SEGMENT_FIELDS = frozenset(
    {
        "state",
        "stage_id",
        "partner_id",
        "project_id",
        "dealer_kind",
        "dealer_direction_id",
        "dealer_amount",
        "dealer_done_date",
        "active",
    }
)


class ProjectTask(models.Model):
    _inherit = "project.task"

    dealer_currency_id = fields.Many2one(
        "res.currency", compute="_compute_dealer_currency_id", string="Currency"
    )
    dealer_amount = fields.Monetary(
        string="Document Amount",
        currency_field="dealer_currency_id",
        help="The total of the document this task stands for (repair order, sale), "
        "counted in the client's categories once the task is done.",
    )
    dealer_done_date = fields.Date(
        string="Done On",
        copy=False,
        help="Set when the task is done; may be corrected, e.g. for imported history.",
    )
    dealer_crm_label = fields.Char(string="CRM Status", compute="_compute_dealer_crm")
    dealer_crm_color = fields.Integer(string="CRM Status Colour", compute="_compute_dealer_crm")
    dealer_crm_status = fields.Char(string="CRM Status Code", compute="_compute_dealer_crm")

    def init(self):
        # The segmentation reads each client's documents and open dealership tasks;
        # without it every batch of the nightly run scans the whole task table.
        create_index(
            self.env.cr,
            "project_task_dealer_segmentation_partner_idx",
            self._table,
            ["partner_id"],
            where="partner_id IS NOT NULL AND (state = '1_done' OR dealer_kind IS NOT NULL)",
        )

    def _compute_dealer_currency_id(self):
        for task in self:
            task.dealer_currency_id = (task.company_id or self.env.company).currency_id

    @api.depends("partner_id", "dealer_direction_id", "project_id")
    def _compute_dealer_crm(self):
        directions = self._dealer_segment_directions()
        keys = {(task.partner_id.id, directions[task].id) for task in self if task.partner_id}
        rows = self.env["dealer.partner.status"]._rows_for(keys)
        for task in self:
            row = rows.get((task.partner_id.id, directions[task].id))
            task.dealer_crm_label = row.display_name if row else False
            task.dealer_crm_color = row.status_color if row else 0
            task.dealer_crm_status = row.status_id.code if row else False

    def _dealer_segment_directions(self):
        """The direction of each task: its own, else the one whose project it is in."""
        by_project = {
            direction.project_id: direction
            for direction in self.env["dealer.direction"].search(
                [("project_id", "in", self.project_id.ids)], order="sequence desc, id desc"
            )
        }
        empty = self.env["dealer.direction"]
        return {
            task: task.dealer_direction_id or by_project.get(task.project_id, empty)
            for task in self
        }

    @api.model_create_multi
    def create(self, vals_list):
        tasks = super().create(vals_list)
        tasks._dealer_stamp_done(set())
        tasks.filtered("partner_id")._dealer_segment_refresh()
        return tasks

    def write(self, vals):
        segment = bool(SEGMENT_FIELDS & set(vals))
        before = self.partner_id if segment else self.env["res.partner"]
        was_done = {task.id for task in self if task.state == "1_done"}
        result = super().write(vals)
        if "dealer_done_date" not in vals:
            self._dealer_stamp_done(was_done)
        if segment:
            self._dealer_segment_refresh(before)
        return result

    def _dealer_stamp_done(self, was_done):
        """Date the tasks that have just become done, unless a date was given."""
        newly_done = self.filtered(
            lambda task: (
                task.state == "1_done" and task.id not in was_done and not task.dealer_done_date
            )
        )
        Status = self.env["dealer.partner.status"]
        for company, tasks in newly_done.grouped("company_id").items():
            # Straight to Odoo's write: this is part of the write that closed them.
            # The day is the branch's, as the segmentation counts days.
            super(ProjectTask, tasks).write(  # pylint: disable=super-method-mismatch
                {"dealer_done_date": Status._today(company=company or None)}
            )
        return newly_done

    def _dealer_segment_refresh(self, extra_partners=None):
        partners = self.partner_id | (extra_partners or self.env["res.partner"])
        if partners:
            self.env["dealer.partner.status"]._recompute_partners(partners)
