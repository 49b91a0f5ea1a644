from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .dealer_vehicle import PARTNER_VEHICLES_DOMAIN


class ProjectTask(models.Model):
    _inherit = "project.task"

    vehicle_id = fields.Many2one(
        "dealer.vehicle",
        tracking=True,
        index="btree_not_null",
        domain=PARTNER_VEHICLES_DOMAIN,
    )
    vehicle_vin = fields.Char(related="vehicle_id.vin", string="VIN")
    vehicle_plate = fields.Char(related="vehicle_id.license_plate", string="License Plate")

    @api.constrains("vehicle_id", "partner_id")
    def _check_vehicle_partner(self):
        for task in self.filtered("vehicle_id"):
            if task.partner_id not in task.vehicle_id._parties():
                raise ValidationError(
                    self.env._(
                        "The vehicle %(vehicle)s is not a vehicle of %(client)s.",
                        vehicle=task.vehicle_id.name,
                        client=task.partner_id.name or self.env._("an unknown client"),
                    )
                )

    @api.onchange("partner_id")
    def _onchange_partner_id_vehicle(self):
        if self.vehicle_id and self.partner_id not in self.vehicle_id._parties():
            self.vehicle_id = False

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dealer_staff(self):
        # A task is the record of work done for a client: dealership staff below
        # supervisor close it rather than delete it. Users outside the dealership
        # roles, and explicit project administrators, keep Project's own rights.
        user = self.env.user
        if (
            not self.env.su
            and user.has_group("dealer_base.group_dealer_operator")
            and not user.has_group("dealer_base.group_dealer_supervisor")
            and not user.has_group("project.group_project_manager")
        ):
            raise AccessError(
                self.env._("Only a supervisor can delete tasks: close the task instead.")
            )
