from odoo import fields, models


class DealerAppointmentKind(models.Model):
    """What a client is booked for: maintenance, repair, diagnostics, body repair, tyre
    service... (the kinds of «предварительная запись» of the service)."""

    _name = "dealer.appointment.kind"
    _description = "Appointment Kind"
    _inherit = ["dealer.checked.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Technical code used by integrations and reports.")
    duration_minutes = fields.Integer(
        string="Duration (min)",
        default=60,
        required=True,
        help="How long the appointment takes in the calendar.",
        aggregator=None,
    )
    direction_id = fields.Many2one(
        "dealer.direction",
        ondelete="restrict",
        help="Offered only when processing contacts of this direction; all directions when empty.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "An appointment kind with this code already exists."),
        (
            "duration_positive",
            "CHECK(duration_minutes > 0)",
            "The duration of an appointment must be positive.",
        ),
    ]
