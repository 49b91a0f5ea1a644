from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools import normalize_plate, normalize_vin, vin_error

# Domain of a many2one offering the vehicles of the record's ``partner_id``.
PARTNER_VEHICLES_DOMAIN = (
    "['|', '|', ('owner_id', '=', partner_id), ('customer_id', '=', partner_id), "
    "('trusted_person_id', '=', partner_id)]"
)
# Shorter fragments match too many vehicles to be useful in a search box.
FRAGMENT_MIN_LENGTH = 3


class DealerVehicle(models.Model):
    """A client's car: identified by VIN and plate, linked to its owner, the
    customer who brings it and a trusted person."""

    _name = "dealer.vehicle"
    _description = "Client Vehicle"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, index="trigram")
    vin = fields.Char(
        string="VIN",
        tracking=True,
        copy=False,
        index="trigram",
        help="17 characters without I, O and Q; stored in upper case without spaces.",
    )
    license_plate = fields.Char(tracking=True, copy=False)
    plate_normalized = fields.Char(
        compute="_compute_plate_normalized",
        store=True,
        index="trigram",
        help="Plate in upper-case Cyrillic without spaces: Latin look-alikes match.",
    )
    model_id = fields.Many2one(
        "fleet.vehicle.model", tracking=True, domain=[("vehicle_type", "=", "car")]
    )
    brand_id = fields.Many2one(related="model_id.brand_id", store=True, string="Brand")
    year = fields.Integer(tracking=True)
    color = fields.Char()
    mileage = fields.Integer(
        compute="_compute_mileage",
        inverse="_inverse_mileage",
        store=True,
        help="Latest odometer reading, km. Setting it records a reading dated today.",
    )
    odometer_ids = fields.One2many(
        "dealer.vehicle.odometer", "vehicle_id", string="Mileage Readings"
    )
    warranty_start_date = fields.Date(string="Warranty Start", tracking=True)
    owner_id = fields.Many2one("res.partner", tracking=True, index=True, check_company=True)
    customer_id = fields.Many2one(
        "res.partner",
        tracking=True,
        index="btree_not_null",
        check_company=True,
        help="Who orders the work and pays when not the owner, e.g. a leasing driver.",
    )
    trusted_person_id = fields.Many2one(
        "res.partner",
        tracking=True,
        index="btree_not_null",
        check_company=True,
        help="Who may bring and collect the car on the owner's behalf.",
    )
    ownership_ids = fields.One2many(
        "dealer.vehicle.ownership", "vehicle_id", string="Owner History"
    )
    note = fields.Html()
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    task_ids = fields.One2many("project.task", "vehicle_id", string="Tasks")
    task_count = fields.Integer(compute="_compute_task_count")

    def init(self):
        # Enforced by the database too, so that concurrent workers cannot both
        # register the same car; the Python checks give the readable message.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS dealer_vehicle_vin_company_uniq "
                "ON dealer_vehicle (company_id, vin) WHERE vin IS NOT NULL"
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS dealer_vehicle_plate_company_active_uniq "
                "ON dealer_vehicle (company_id, plate_normalized) "
                "WHERE plate_normalized IS NOT NULL AND active"
            )
        )

    @api.depends("model_id", "license_plate", "vin")
    def _compute_name(self):
        for vehicle in self:
            parts = [vehicle.model_id.display_name or self.env._("Vehicle")]
            if vehicle.license_plate or vehicle.vin:
                parts.append(vehicle.license_plate or vehicle.vin)
            vehicle.name = " · ".join(parts)

    @api.depends("license_plate")
    def _compute_plate_normalized(self):
        for vehicle in self:
            vehicle.plate_normalized = normalize_plate(vehicle.license_plate)

    @api.depends("odometer_ids.value", "odometer_ids.date")
    def _compute_mileage(self):
        for vehicle in self:
            latest = vehicle.odometer_ids.sorted(lambda r: (r.date, r.id))[-1:]
            vehicle.mileage = latest.value

    def _inverse_mileage(self):
        today = fields.Date.context_today(self)
        for vehicle in self:
            latest = vehicle.odometer_ids.sorted(lambda r: (r.date, r.id))[-1:]
            if vehicle.mileage and vehicle.mileage != latest.value:
                vehicle.odometer_ids = [
                    fields.Command.create({"date": today, "value": vehicle.mileage})
                ]

    def _compute_task_count(self):
        counts = dict(
            self.env["project.task"]._read_group(
                [("vehicle_id", "in", self.ids)], ["vehicle_id"], ["__count"]
            )
        )
        for vehicle in self:
            vehicle.task_count = counts.get(vehicle, 0)

    # --- normalization and checks ---------------------------------------------
    @api.model
    def _normalize_vals(self, vals):
        if vals.get("vin"):
            vals["vin"] = normalize_vin(vals["vin"])
        if vals.get("license_plate"):
            vals["license_plate"] = " ".join(vals["license_plate"].split()).upper()
        return vals

    @api.constrains("vin")
    def _check_vin(self):
        messages = {
            "length": self.env._("The VIN %(vin)s must have 17 characters, it has %(count)s."),
            "alphabet": self.env._(
                "The VIN %(vin)s may only contain digits and Latin letters except I, O and Q."
            ),
            "check_digit": self.env._(
                "The VIN %(vin)s is North American and its check digit (9th character) is wrong."
            ),
        }
        for vehicle in self.filtered("vin"):
            error = vin_error(vehicle.vin)
            if error:
                raise ValidationError(
                    messages[error] % {"vin": vehicle.vin, "count": len(vehicle.vin)}
                )

    def _check_unique_identifiers(self, vals_list):
        """Refuse a VIN or an active plate already registered in the company, naming
        the vehicle and its owner. Runs before the database's unique indexes, which
        only guard against concurrent registrations."""
        # sudo: the duplicate may belong to a client this user cannot see, and
        # registering the same car twice must be refused all the same.
        Vehicle = self.sudo().with_context(active_test=False)
        for record, vals in vals_list:
            company_id = vals.get("company_id") or record.company_id.id or self.env.company.id
            vin = vals["vin"] if "vin" in vals else record.vin
            plate = vals["license_plate"] if "license_plate" in vals else record.license_plate
            active = vals["active"] if "active" in vals else (record.active if record else True)
            checks = []
            if vin:
                checks.append(([("vin", "=", vin)], self.env._("VIN"), vin))
            if plate and active:
                checks.append(
                    (
                        [("plate_normalized", "=", normalize_plate(plate)), ("active", "=", True)],
                        self.env._("plate"),
                        plate,
                    )
                )
            for domain, label, value in checks:
                twin = Vehicle.search(
                    [*domain, ("company_id", "=", company_id), ("id", "!=", record.id)], limit=1
                )
                if twin:
                    raise ValidationError(
                        self.env._(
                            "The %(label)s %(value)s is already registered: %(vehicle)s, "
                            "owner %(owner)s.",
                            label=label,
                            value=value,
                            vehicle=twin.name,
                            owner=twin.owner_id.name or self.env._("not set"),
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize_vals(vals) for vals in vals_list]
        self._check_unique_identifiers([(self.browse(), vals) for vals in vals_list])
        vehicles = super().create(vals_list)
        vehicles._open_ownership()
        return vehicles

    def write(self, vals):
        owner_changed = "owner_id" in vals and self.filtered(
            lambda v: v.owner_id.id != vals["owner_id"]
        )
        if owner_changed:
            owner_changed._close_ownership()
        vals = self._normalize_vals(vals)
        if {"vin", "license_plate", "company_id", "active"} & set(vals):
            self._check_unique_identifiers([(vehicle, vals) for vehicle in self])
        res = super().write(vals)
        if owner_changed:
            owner_changed._open_ownership()
        return res

    def _parties(self):
        """Clients this vehicle belongs to in any role."""
        return self.owner_id | self.customer_id | self.trusted_person_id

    # The owner history is written by the system; staff only read it, hence sudo.
    def _open_ownership(self):
        today = fields.Date.context_today(self)
        self.env["dealer.vehicle.ownership"].sudo().create(
            [
                {"vehicle_id": v.id, "partner_id": v.owner_id.id, "date_start": today}
                for v in self
                if v.owner_id
            ]
        )

    def _close_ownership(self):
        open_periods = self.sudo().ownership_ids.filtered(lambda o: not o.date_end)
        open_periods.date_end = fields.Date.context_today(self)

    # --- search -----------------------------------------------------------------
    @api.model
    def _vehicle_search_domain(self, value):
        """Vehicles whose VIN or plate contains ``value``, in any case and spacing,
        the plate in Cyrillic or Latin look-alikes."""
        vin = normalize_vin(value)
        plate = normalize_plate(value)
        if not vin or len(vin) < FRAGMENT_MIN_LENGTH:
            return expression.FALSE_DOMAIN
        return ["|", ("vin", "like", vin), ("plate_normalized", "like", plate)]

    @api.model
    def _search_display_name(self, operator, value):
        domain = super()._search_display_name(operator, value)
        if operator in ("ilike", "like", "=ilike") and isinstance(value, str) and value.strip():
            domain = expression.OR([domain, self._vehicle_search_domain(value)])
        return domain

    def action_view_tasks(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Tasks"),
            "res_model": "project.task",
            "view_mode": "list,form",
            "domain": [("vehicle_id", "=", self.id)],
            "context": {"default_vehicle_id": self.id, "default_partner_id": self.owner_id.id},
        }
