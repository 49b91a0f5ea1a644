from odoo import api, fields, models
from odoo.addons.dealer_traffic.models.dealer_traffic import OPEN_STATES
from odoo.exceptions import UserError

# What a caller may give the appeal registered from a contact, besides what the
# contact itself says.
COMPLAINT_VALUES = frozenset(
    {"type_id", "reason_id", "description", "note", "task_id", "external_id", "date_deadline"}
)


class DealerTraffic(models.Model):
    _name = "dealer.traffic"
    _inherit = ["dealer.traffic", "dealer.complaint.link.mixin"]
    _complaint_field = "traffic_id"

    complaint_ids = fields.One2many("dealer.complaint", "traffic_id", string="Appeals")

    def action_view_complaints(self):
        action = self._complaint_action({"create": False})
        if self.complaint_count == 1:
            action.update(view_mode="form", res_id=self.complaint_ids.id, views=[(False, "form")])
        return action

    def _complaint_values(self):
        self.ensure_one()
        return {
            "traffic_id": self.id,
            "source": "traffic",
            "partner_id": self.partner_id.id,
            "contact_name": self.partner_id.name or self.contact_name,
            "phone": self.contact_phone or self.partner_id.mobile or self.partner_id.phone,
            "vehicle_id": self.vehicle_id.id,
            "channel_id": self.channel_id.id,
            "goal_id": self.goal_id.id,
            "region_id": self.region_id.id or self.partner_id.state_id.id,
            "company_id": self.company_id.id,
            "date_received": self.date,
            "description": self.note,
            "user_id": (self.user_id or self.env.user).id,
        }

    @api.returns("dealer.complaint", lambda complaints: complaints.ids)
    def action_register_complaint(self, values=None):
        """Register the appeal this feedback contact brought, with ``values`` of the
        appeal (its type, reason, texts), and mark the contact processed. Returns
        the appeals."""
        values = dict(values or {})
        unknown = set(values) - COMPLAINT_VALUES
        if unknown:
            raise UserError(
                self.env._(
                    "An appeal is registered from a contact with its type, reason and "
                    "texts only, not %s.",
                    ", ".join(sorted(unknown)),
                )
            )
        feedback = self.env.ref("dealer_base.direction_feedback")
        for traffic in self:
            if traffic.direction_id != feedback:
                raise UserError(
                    self.env._(
                        "Only feedback contacts are registered as appeals; %(number)s is "
                        "of the direction %(direction)s.",
                        number=traffic.name,
                        direction=traffic.direction_id.name,
                    )
                )
        self._check_state(OPEN_STATES, self.env._("registered as an appeal"))
        self._check_responsible_or_supervisor(
            self.env._("register an appeal"),
            unassigned_group="dealer_base.group_dealer_consultant",
        )
        complaints = self.env["dealer.complaint"]
        now = fields.Datetime.now()
        for traffic in self:
            vals = traffic._complaint_values()
            vals.update({key: value for key, value in values.items() if value})
            if not vals.get("description"):
                vals.pop("description")
            # The link to the contact and the source are the workflow's: a form
            # cannot set them.
            complaint = complaints._workflow().create(vals)
            complaints |= complaint
            complaint.message_post(
                body=self.env._("Registered from the contact %s.", traffic.name),
                subtype_xmlid="mail.mt_note",
            )
            traffic.message_post(
                body=self.env._("Registered as the appeal %s.", complaint.name),
                subtype_xmlid="mail.mt_note",
            )
            processed = {
                "state": "processed",
                "processed_date": now,
                "taken_date": traffic.taken_date or now,
            }
            # As action_process records who processed the contact, where it does.
            if "processed_user_id" in traffic._fields:
                processed["processed_user_id"] = self.env.uid
            if not traffic.user_id:
                processed["user_id"] = self.env.uid
            traffic._workflow().write(processed)
        return complaints
