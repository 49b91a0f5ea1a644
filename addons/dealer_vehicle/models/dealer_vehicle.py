from odoo import api, fields, models
from odoo.addons.dealer_base.tools import (
    check_limit,
    check_search,
    check_search_value,
    check_text,
    check_vals,
)
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools import normalize_plate, normalize_vin, vin_error
from .dealer_vehicle_odometer import check_mileage

# Domain of a many2one offering the vehicles of the record's ``partner_id``.
PARTNER_VEHICLES_DOMAIN = (
    "['|', '|', ('owner_id', '=', partner_id), ('customer_id', '=', partner_id), "
    "('trusted_person_id', '=', partner_id)]"
)
# Shorter fragments match too many vehicles to be useful in a search box.
FRAGMENT_MIN_LENGTH = 3
# A VIN with generous spacing is well below; longer input is a paste gone wrong.
VIN_RAW_MAX = 40
PLATE_RAW_MAX = 25
# Letters and digits of a plate: Russian ones have 8 or 9, foreign ones 4 to 12.
PLATE_MIN_LENGTH, PLATE_MAX_LENGTH = 4, 12
YEAR_MIN = 1900


class DealerVehicle(models.Model):
    """A client's car: identified by VIN and plate, linked to its owner, the
    customer who brings it and a trusted person."""

    _name = "dealer.vehicle"
    _description = "Client Vehicle"
    _inherit = ["mail.thread", "mail.activity.mixin", "dealer.checked.mixin"]
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
    year = fields.Integer(tracking=True, aggregator=None)
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
        """``vals`` checked as typed (control characters, types, lengths), then with
        the VIN and plate in their stored form. A VIN typed but made of nothing
        but separators is refused rather than silently dropped. Returns a new dict:
        the caller's ``vals`` are left as they were."""
        # Checked before normalization, which would strip control characters unseen.
        check_vals(self, vals)
        vals = dict(vals)
        if "mileage" in vals:
            check_mileage(self.env, vals["mileage"])
        if "vin" in vals:
            raw = check_text(self.env, vals["vin"], self.env._("VIN"), max_length=VIN_RAW_MAX)
            typed = (raw or "").strip()
            # Blank is no VIN: stored as NULL (not ""), as the unique index expects.
            vals["vin"] = normalize_vin(typed)
            if typed and not vals["vin"]:
                raise ValidationError(self._vin_messages()["alphabet"] % {"vin": typed})
        if "license_plate" in vals:
            label = self._fields["license_plate"]._description_string(self.env)
            raw = check_text(self.env, vals["license_plate"], label, max_length=PLATE_RAW_MAX)
            vals["license_plate"] = " ".join((raw or "").split()).upper() or False
        return vals

    def _vin_messages(self):
        return {
            "length": self.env._("The VIN %(vin)s must have 17 characters, it has %(count)s."),
            "alphabet": self.env._(
                "The VIN %(vin)s may only contain digits and Latin letters except I, O and Q."
            ),
            "check_digit": self.env._(
                "The VIN %(vin)s is North American and its check digit (9th character) is wrong."
            ),
        }

    @api.constrains("vin")
    def _check_vin(self):
        messages = self._vin_messages()
        for vehicle in self.filtered("vin"):
            error = vin_error(vehicle.vin)
            if error:
                raise ValidationError(
                    messages[error] % {"vin": vehicle.vin, "count": len(vehicle.vin)}
                )

    @api.constrains("license_plate")
    def _check_license_plate(self):
        for vehicle in self.filtered("license_plate"):
            length = len(vehicle.plate_normalized or "")
            if not PLATE_MIN_LENGTH <= length <= PLATE_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The plate %(plate)s must have %(min)s to %(max)s letters and digits, "
                        "it has %(count)s.",
                        plate=vehicle.license_plate,
                        min=PLATE_MIN_LENGTH,
                        max=PLATE_MAX_LENGTH,
                        count=length,
                    )
                )

    @api.constrains("year")
    def _check_year(self):
        last = fields.Date.context_today(self).year + 1
        for vehicle in self.filtered("year"):
            if not YEAR_MIN <= vehicle.year <= last:
                raise ValidationError(
                    self.env._(
                        "The model year must be between %(min)s and %(max)s, not %(year)s.",
                        min=YEAR_MIN,
                        max=last,
                        year=vehicle.year,
                    )
                )

    def _check_unique_identifiers(self, vals_list):
        """Refuse a VIN or an active plate already registered in the company, naming
        the vehicle and its owner when the user may read them. Runs before the
        database's unique indexes, which only guard against concurrent
        registrations."""
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
                    raise ValidationError(self._duplicate_message(twin, label, value))

    def _duplicate_message(self, twin, label, value):
        """What to say about ``twin``, found with sudo: the vehicle and its owner
        are named only to a user who may read them; others learn no more than that
        the car is registered in a branch they do not see."""
        vehicle = twin.with_env(self.env)
        owner = twin.owner_id.with_env(self.env)
        if not vehicle.has_access("read"):
            return self.env._(
                "The %(label)s %(value)s is already registered in another branch.",
                label=label,
                value=value,
            )
        if owner and not owner.has_access("read"):
            return self.env._(
                "The %(label)s %(value)s is already registered: %(vehicle)s.",
                label=label,
                value=value,
                vehicle=twin.name,
            )
        return self.env._(
            "The %(label)s %(value)s is already registered: %(vehicle)s, owner %(owner)s.",
            label=label,
            value=value,
            vehicle=twin.name,
            owner=twin.owner_id.name or self.env._("not set"),
        )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize_vals(vals) for vals in vals_list]
        self._check_unique_identifiers([(self.browse(), vals) for vals in vals_list])
        vehicles = super().create(vals_list)
        vehicles._open_ownership()
        return vehicles

    def write(self, vals):
        vals = self._normalize_vals(vals)
        owner_changed = "owner_id" in vals and self.filtered(
            lambda v: v.owner_id.id != vals["owner_id"]
        )
        if owner_changed:
            owner_changed._close_ownership()
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
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """Odoo's name search, with its arguments checked: ``name`` must be text and
        ``limit`` a whole number, or the caller gets a clear error."""
        check_search_value(self.env, operator, name, self.env._("Vehicle"))
        check_limit(self.env, limit)
        return super().name_search(name, args, operator, limit)

    @api.model
    def _search_display_name(self, operator, value):
        """Name, VIN or plate fragment. Text with control characters, overlong
        text or a value that is not text for a ``like`` search is refused with a
        clear error."""
        check_search_value(self.env, operator, value, self.env._("Vehicle"))
        domain = super()._search_display_name(operator, value)
        text = (
            check_search(self.env, value, self.env._("Vehicle")) if isinstance(value, str) else ""
        )
        if operator in ("ilike", "like", "=ilike") and text:
            domain = expression.OR([domain, self._vehicle_search_domain(text)])
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
