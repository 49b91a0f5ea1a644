import pytz

from odoo import api, fields, models
from odoo.tools import format_datetime


class ProjectTask(models.Model):
    _inherit = "project.task"

    # What the seed's templates show ({fio}, {datetime}, {car_descr}, the address,
    # the consultant), ready for placeholders: {{ object.dealer_notify_when }}.
    dealer_notify_client = fields.Char(string="Client Name", compute="_compute_dealer_notify")
    dealer_notify_when = fields.Char(string="Visit Date and Time", compute="_compute_dealer_notify")
    dealer_notify_vehicle = fields.Char(
        string="Vehicle Description", compute="_compute_dealer_notify"
    )
    dealer_notify_address = fields.Char(string="Branch Address", compute="_compute_dealer_notify")
    dealer_notify_consultant = fields.Char(string="Consultant", compute="_compute_dealer_notify")

    @api.depends_context("lang")
    @api.depends("partner_id", "dealer_visit_at", "vehicle_id", "company_id", "dealer_advisor_id")
    def _compute_dealer_notify(self):
        Rule = self.env["dealer.notification.rule"]
        zones = {}
        for task in self:
            branch = task._dealer_branch() or task.project_id.company_id or self.env.company
            if branch not in zones:
                zones[branch] = Rule._branch_tz(branch)
            tz = zones[branch]
            task.dealer_notify_client = task.partner_id.name or ""
            task.dealer_notify_when = (
                format_datetime(self.env, task.dealer_visit_at, tz=tz, dt_format="dd.MM.yyyy HH:mm")
                if task.dealer_visit_at and tz in pytz.all_timezones_set
                else ""
            )
            vehicle = task.vehicle_id
            task.dealer_notify_vehicle = " ".join(
                part
                for part in (
                    vehicle.model_id.brand_id.name,
                    vehicle.model_id.name,
                    vehicle.license_plate,
                )
                if part
            )
            # sudo: the branch's address is public; the sender may belong to another branch.
            partner = branch.sudo().partner_id
            task.dealer_notify_address = ", ".join(
                part for part in (partner.city, partner.street, partner.street2) if part
            )
            advisor = task.dealer_advisor_id or task.user_ids[:1]
            task.dealer_notify_consultant = advisor.name or ""

    @api.model_create_multi
    def create(self, vals_list):
        tasks = super().create(vals_list)
        booked = tasks.filtered(lambda t: t.dealer_visit_at and t.dealer_kind == "appointment")
        if booked:
            self._dealer_notify_event("appointment_booked", booked)
        return tasks

    def write(self, vals):
        result = super().write(vals)
        if vals.get("dealer_visit_at"):
            booked = self.filtered(lambda t: t.dealer_kind == "appointment")
            self._dealer_notify_event("appointment_booked", booked)
        if vals.get("stage_id"):
            self._dealer_notify_event("repair_status", self)
        return result

    def _dealer_notify_event(self, kind, tasks):
        if not tasks:
            return
        # sudo: rules are configuration; any user booking a client triggers them.
        rules = self.env["dealer.notification.rule"].sudo().search([("kind", "=", kind)])
        if rules:
            self.flush_model()
            rules._plan_records(tasks)
