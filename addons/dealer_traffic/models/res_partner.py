import re
from difflib import SequenceMatcher

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import (
    PHONE_NUMBER_MAX,
    check_id,
    check_limit,
    check_search,
    check_text,
    normalize_phone,
    to_record,
)
from odoo.addons.dealer_vehicle.tools import normalize_vin, vin_error
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, format_datetime, html2plaintext, plaintext2html

LOOKUP_LIMIT = 8
LOOKUP_LIMIT_MAX = 50
CARD_TASKS_MAX = 10
NAME_MAX = 200
# What the new-client form of the registration screen may send.
NEW_CLIENT_KEYS = frozenset({"is_company", "name", "phone", "note", "vehicle"})
NEW_VEHICLE_KEYS = frozenset({"model_id", "year", "identifier"})
# Two names are «similar» when one of their words nearly matches (typos, ё/е).
NAME_WORD_SIMILARITY = 0.8
_WORD = re.compile(r"\w+")
# Typed text that is a phone number rather than a name: digits and separators.
_PHONE_LIKE = re.compile(r"^[\d\s()+\-.]{6,}$")


def _name_words(name):
    return {w for w in _WORD.findall((name or "").lower().replace("ё", "е")) if len(w) > 1}


def similar_names(first, second):
    """Whether two client names look like the same client: a word of one nearly
    equals a word of the other (``Иванов Василий`` / ``Иваноф В.``)."""
    words = _name_words(second)
    return any(
        SequenceMatcher(None, a, b).ratio() >= NAME_WORD_SIMILARITY
        for a in _name_words(first)
        for b in words
        if len(a) > 2 and len(b) > 2
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    traffic_ids = fields.One2many("dealer.traffic", "partner_id")
    traffic_count = fields.Integer(compute="_compute_traffic_count")

    def _compute_traffic_count(self):
        counts = dict(
            self.env["dealer.traffic"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.traffic_count = counts.get(partner, 0)

    @api.model
    def _dealer_name_recency(self, alias):
        """Namesakes last contacted at the user's branch first: the caller is more
        likely a client of the branch taking the call. The partner's own branch is
        often empty (clients are shared), its contacts are not."""
        here = SQL(
            "(SELECT MAX(t.date) FROM dealer_traffic t "
            "WHERE t.partner_id = %s AND t.company_id = %s) DESC NULLS LAST",
            SQL.identifier(alias, "id"),
            self.env.company.id,
        )
        return [here, *super()._dealer_name_recency(alias)]

    @api.model
    def dealer_lookup(self, text, limit=LOOKUP_LIMIT):
        """Clients matching what an operator types on the registration screen (phone,
        name, e-mail, VIN or plate), with their cars and open tasks. Text shorter
        than 3 characters finds nothing; a value that is not text, control
        characters, or a ``limit`` that is not a whole number up to 50 (no limit:
        8), are refused with a clear error."""
        text = check_search(self.env, text, self.env._("Search text"))
        limit = check_limit(self.env, limit, LOOKUP_LIMIT_MAX) or LOOKUP_LIMIT
        if len(text) < 3:
            return []
        partners = self.find_by_phone(text)._dealer_only_clients()[:limit]
        named = self.browse()
        if len(partners) < limit:
            # Names by their words in any order, best match first (dealer_base).
            named = self.dealer_find_by_name(
                text,
                limit - len(partners),
                [("id", "not in", partners.ids), *self._dealer_not_client_domain()],
            )
            partners |= named
        if len(partners) < limit and not named:
            # E-mails, VINs, plates, fragments inside words.
            partners |= self.search(
                [
                    ("client_search", "ilike", text),
                    ("id", "not in", partners.ids),
                    *self._dealer_not_client_domain(),
                ],
                limit=limit - len(partners),
            )
        return partners._dealer_client_cards()

    @api.model
    def dealer_lookup_card(self, partner_id, phone=False):
        """The card of the client ``partner_id`` (a record id), as a one-element
        list; empty when the client no longer exists. With ``phone``, the number
        the operator typed, the card's ``new_phone`` is that number when the client
        does not have it yet (the screen offers to add it), else empty."""
        partner_id = check_id(self.env, partner_id, self.env._("Client"))
        phone = check_text(self.env, phone, self.env._("Phone"), max_length=PHONE_NUMBER_MAX)
        partner = self.browse(partner_id).exists()
        cards = partner._dealer_client_cards()
        for card in cards:
            card["new_phone"] = phone.strip() if partner._dealer_phone_is_new(phone) else ""
        return cards

    # --- who is a client ---------------------------------------------------------
    @api.model
    def _dealer_not_client_domain(self):
        """Partners the registration screen never offers as clients: the partners
        of internal users (archived ones too), the work contacts of employees
        (with HR) and the dealership's own companies."""
        users = self.env["res.users"]
        users.flush_model(["partner_id", "share"])
        self.env["res.company"].flush_model(["partner_id"])
        queries = [
            SQL("SELECT partner_id FROM res_users WHERE NOT share AND partner_id IS NOT NULL"),
            SQL("SELECT partner_id FROM res_company WHERE partner_id IS NOT NULL"),
        ]
        employees = self.env.get("hr.employee")
        if employees is not None and "work_contact_id" in employees._fields:
            employees.flush_model(["work_contact_id"])
            queries.append(
                SQL("SELECT work_contact_id FROM hr_employee WHERE work_contact_id IS NOT NULL")
            )
        # Only excludes ids from a search the record rules apply to.
        return [("id", "not in", SQL("(%s)", SQL(" UNION ").join(queries)))]

    def _dealer_only_clients(self):
        """These partners without staff and the dealership's companies, in order."""
        if not self:
            return self
        kept = set(self.search([("id", "in", self.ids), *self._dealer_not_client_domain()]).ids)
        return self.filtered(lambda partner: partner.id in kept)

    def _dealer_phone_is_new(self, phone):
        """Whether ``phone`` is a valid number this client does not have yet."""
        self.ensure_one()
        if not phone or any(char.isalpha() for char in phone):
            return False  # a name, a plate or a VIN, whatever digits it has
        normalized = normalize_phone(phone, self.country_id.code or self._phone_country_code())
        return bool(normalized) and normalized not in self.phone_ids.mapped("number_normalized")

    @api.model
    def dealer_add_phone(self, partner_id, phone):
        """Add ``phone``, the number the operator typed, to the client
        ``partner_id`` («Добавить указанный телефон клиенту»); returns the
        client's card. A number the client already has is not added twice; text
        that is no valid phone number is refused with a clear error."""
        partner = to_record(self.env, "res.partner", partner_id, self.env._("Client"))
        phone = check_text(self.env, phone, self.env._("Phone"), max_length=PHONE_NUMBER_MAX)
        phone = (phone or "").strip()
        country = partner.country_id.code or self._phone_country_code()
        if not normalize_phone(phone, country):
            raise UserError(self.env._("%(phone)s is not a valid phone number.", phone=phone))
        if partner._dealer_phone_is_new(phone):
            sequence = max(partner.phone_ids.mapped("sequence") or [0]) + 1
            self.env["dealer.partner.phone"].create(
                {
                    "partner_id": partner.id,
                    "number": phone,
                    "phone_type": "work" if partner.is_company else "mobile",
                    "sequence": sequence,
                }
            )
        return self.dealer_lookup_card(partner.id)

    def _dealer_client_cards(self):
        """What the registration screen and the consultant's window show of each
        client (seed 000, «Карточка клиента»): registration date, last incoming and
        outgoing contact, note, phones, cars with mileage and warranty start (ДНГ),
        open documents. Dates come formatted in the user's language. Modules add
        their keys (``crm``: dealer_segmentation)."""
        env = self.env
        vehicles = env["dealer.vehicle"].search(self._vehicle_domain()) if self else []
        tasks = env["project.task"].search(
            [("partner_id", "in", self.ids), ("is_closed", "=", False)],
            order="create_date desc",
        )
        kinds = dict(env["project.task"]._fields["dealer_kind"]._description_selection(env))
        no_data = env._("no data")

        def when(value, with_time=True):
            if not value:
                return ""
            return format_datetime(env, value) if with_time else format_date(env, value)

        cards = []
        for partner in self:
            own_tasks = tasks.filtered(lambda task, p=partner: task.partner_id == p)
            cards.append(
                {
                    "id": partner.id,
                    "name": partner.display_name,
                    "is_company": partner.is_company,
                    "phones": partner.phone_ids.mapped("number"),
                    "email": partner.email or "",
                    "registered": when(partner.create_date, with_time=False),
                    "last_incoming": when(partner.last_incoming_contact) or no_data,
                    "last_outgoing": when(partner.last_outgoing_contact) or no_data,
                    "note": html2plaintext(partner.comment or "").strip(),
                    "vehicles": [
                        {
                            "id": vehicle.id,
                            "name": vehicle.model_id.display_name or "",
                            "plate": vehicle.license_plate or "",
                            "vin": vehicle.vin or "",
                            "year": vehicle.year or "",
                            "mileage": vehicle.mileage or "",
                            "warranty_start": when(vehicle.warranty_start_date, False),
                        }
                        for vehicle in vehicles
                        if partner in vehicle._parties()
                    ],
                    "open_tasks": [
                        {
                            "id": task.id,
                            "name": task.name,
                            "kind": kinds.get(task.dealer_kind) or task.project_id.name or "",
                            "number": str(task.id),
                            "date": when(task.date_deadline or task.create_date, False),
                            "stage": task.stage_id.name or "",
                            "user": ", ".join(task.user_ids.mapped("name")),
                        }
                        for task in own_tasks[:CARD_TASKS_MAX]
                    ],
                }
            )
        return cards

    def action_view_traffic(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_traffic.dealer_traffic_action_journal"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # --- new client on the spot ---------------------------------------------------
    @api.model
    def dealer_new_client_values(self, text, contact_name=False, contact_phone=False):
        """What the new-client form starts with when the lookup found nobody for
        ``text``: a number goes to the phone, a VIN or plate to the car, anything
        else is the name; the name and phone already given on the contact fill
        the rest."""
        text = check_search(self.env, text, self.env._("Search text"))
        contact_name = check_text(self.env, contact_name, self.env._("Name"), max_length=NAME_MAX)
        contact_phone = check_text(
            self.env, contact_phone, self.env._("Phone"), max_length=PHONE_NUMBER_MAX
        )
        values = {"name": contact_name or "", "phone": contact_phone or "", "identifier": ""}
        if _PHONE_LIKE.match(text):
            values["phone"] = text
        elif self._dealer_looks_like_vehicle(text):
            values["identifier"] = text
        elif text:
            values["name"] = text
        return values

    @api.model
    def _dealer_looks_like_vehicle(self, text):
        """A plate or VIN typed into the lookup: one word mixing letters and digits."""
        compact = normalize_vin(text) or ""
        return (
            bool(compact)
            and len(text.split()) <= 3
            and any(c.isdigit() for c in compact)
            and any(c.isalpha() for c in compact)
            and 4 <= len(compact) <= 17
        )

    @api.model
    def dealer_create_client(self, values, force=False):
        """Create a client from the registration screen: ``values`` holds
        ``is_company``, ``name`` (required), ``phone``, ``note`` and ``vehicle``, the
        caller's own car (``model_id`` a car model id, ``year``, ``identifier`` a
        plate or a VIN). Unless ``force``, a client with the same phone and a
        similar name is offered instead: ``{"duplicates": [cards]}``; otherwise
        the client and car are created: ``{"card": card, "vehicle_id": id}``."""
        env = self.env
        if not isinstance(values, dict) or set(values) - NEW_CLIENT_KEYS:
            raise UserError(env._("The new client's values are not what the screen sends."))
        if not isinstance(force, bool):
            raise UserError(env._("Whether to create anyway must be yes or no."))
        name = check_text(env, values.get("name"), env._("Name"), max_length=NAME_MAX)
        name = " ".join((name or "").split())
        if not name:
            raise UserError(env._("Give the new client's name."))
        phone = check_text(env, values.get("phone"), env._("Phone"), max_length=PHONE_NUMBER_MAX)
        phone = (phone or "").strip()
        if phone and not normalize_phone(phone, self._phone_country_code()):
            raise UserError(env._("%(phone)s is not a valid phone number.", phone=phone))
        note = check_text(env, values.get("note"), env._("Note"), multiline=True)
        is_company = values.get("is_company") or False
        if not isinstance(is_company, bool):
            raise UserError(env._("Person or company must be yes or no."))
        vehicle_vals = self._dealer_new_vehicle_vals(values.get("vehicle"))

        if phone and not force:
            twins = (
                self.find_by_phone(phone)
                ._dealer_only_clients()
                .filtered(lambda partner: similar_names(partner.name, name))
            )
            if twins:
                return {"duplicates": twins._dealer_client_cards()}

        partner_vals = {"name": name, "is_company": is_company}
        if phone:
            kind = "work" if is_company else "mobile"
            partner_vals["phone_ids"] = [
                fields.Command.create({"number": phone, "phone_type": kind, "sequence": 1})
            ]
        if note:
            partner_vals["comment"] = plaintext2html(note)
        partner = self.create(partner_vals)
        vehicle = env["dealer.vehicle"]
        if vehicle_vals:
            vehicle = vehicle.create({**vehicle_vals, "owner_id": partner.id})
        return {"card": partner._dealer_client_cards()[0], "vehicle_id": vehicle.id}

    @api.model
    def _dealer_new_vehicle_vals(self, vehicle):
        """``dealer.vehicle`` values of the car given with a new client, checked;
        empty when no car was given. A 17-character valid VIN goes to the VIN,
        anything else to the plate."""
        env = self.env
        if not vehicle:
            return {}
        if not isinstance(vehicle, dict) or set(vehicle) - NEW_VEHICLE_KEYS:
            raise UserError(env._("The car's values are not what the screen sends."))
        vals = {}
        if vehicle.get("model_id"):
            model = to_record(env, "fleet.vehicle.model", vehicle["model_id"], env._("Model"))
            vals["model_id"] = model.id
        year = vehicle.get("year")
        if year not in (None, False, ""):
            if isinstance(year, str) and year.strip().isdigit():
                year = int(year.strip())
            if isinstance(year, bool) or not isinstance(year, int):
                raise UserError(env._("The model year must be a whole number."))
            vals["year"] = year
        identifier = check_text(
            env, vehicle.get("identifier"), env._("Plate or VIN"), max_length=40
        )
        identifier = (identifier or "").strip()
        if identifier:
            vin = normalize_vin(identifier)
            if vin and len(vin) == 17 and not vin_error(vin):
                vals["vin"] = vin
            else:
                vals["license_plate"] = identifier
        if vals and not (vals.keys() & {"model_id", "vin", "license_plate"}):
            raise UserError(env._("Give the car's model, plate or VIN, or leave the car empty."))
        return vals
