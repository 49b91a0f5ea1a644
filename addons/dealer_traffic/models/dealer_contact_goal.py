from odoo import fields, models


class DealerContactGoal(models.Model):
    """Why a client contacts the dealership, or why the dealership calls them."""

    _name = "dealer.contact.goal"
    _description = "Contact Goal"
    _order = "direction_id, kind, sequence, id"

    name = fields.Char(string="Full Name", required=True, translate=True)
    short_name = fields.Char(translate=True)
    direction_id = fields.Many2one("dealer.direction", required=True, ondelete="restrict")
    kind = fields.Selection(
        [("incoming", "Incoming"), ("outgoing", "Outgoing")], required=True, default="incoming"
    )
    require_vehicle_interest = fields.Boolean(help="Brand, model and new/used must be given.")
    require_region = fields.Boolean()
    auto_ignore_days = fields.Integer(
        string="Days Until Automatic Ignoring",
        default=7,
        aggregator=None,
        help="Traffic left unprocessed this many days is ignored as 'not processed in time'. "
        "0 disables it.",
    )
    response_minutes = fields.Integer(
        string="Response Time Limit (min)",
        default=30,
        aggregator=None,
        help="Traffic not taken within this time is highlighted as overdue.",
    )
    user_ids = fields.Many2many("res.users", string="Responsible Employees")
    restrict_to_users = fields.Boolean(
        string="Only These Employees",
        help="Traffic of this goal may only be assigned to the responsible employees.",
    )
    task_kind = fields.Selection(
        [("appointment", "Appointment"), ("visit", "Vehicle Visit"), ("deal", "Deal")],
        string="Default Processing",
        default="appointment",
    )
    task_deadline_days = fields.Integer(
        string="Task Deadline (days)",
        default=1,
        aggregator=None,
        help="A task made by processing a contact of this goal is due this many days "
        "after processing, unless it is booked for a time. 0 leaves it without a deadline.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "auto_ignore_days_positive",
            "CHECK(auto_ignore_days >= 0)",
            "The days until automatic ignoring cannot be negative.",
        ),
        (
            "task_deadline_days_positive",
            "CHECK(task_deadline_days >= 0)",
            "The days until a task's deadline cannot be negative.",
        ),
    ]
