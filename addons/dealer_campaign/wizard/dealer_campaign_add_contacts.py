import base64
import csv
import io
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import normalize_phone
from odoo.addons.dealer_vehicle.tools.vehicle import normalize_plate, normalize_vin
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.dealer_campaign_contact import SOURCES
from ..tools import SKIP_REASONS, ContactImportError, parse_text, read_excel, workbook_sheets
from ..tools.bulk import part_count, run_parts, split

TRISTATE = [("all", "All"), ("yes", "Yes"), ("no", "No")]
CONSENT_FILTERS = {
    "consent_personal_data_filter": "consent_personal_data",
    "consent_phone_survey_filter": "consent_phone_survey",
    "consent_sms_filter": "consent_sms",
    "consent_email_filter": "consent_email",
}
# What excludes a client from a campaign, by channel: (reason, SQL condition on p).
EXCLUSIONS = {
    "phone": [
        ("do_not_call", "p.do_not_call"),
        ("no_phone", "COALESCE(p.mobile, p.phone, '') = ''"),
    ],
    "sms": [
        ("no_consent", "NOT COALESCE(p.consent_sms, FALSE)"),
        ("no_phone", "COALESCE(p.mobile, p.phone, '') = ''"),
        (
            "blacklisted",
            "EXISTS (SELECT 1 FROM phone_blacklist b "
            "WHERE b.active AND b.number = p.phone_sanitized)",
        ),
    ],
    "email": [
        ("no_consent", "NOT COALESCE(p.consent_email, FALSE)"),
        ("no_email", "COALESCE(p.email_normalized, '') = ''"),
        (
            "blacklisted",
            "EXISTS (SELECT 1 FROM mail_blacklist b "
            "WHERE b.active AND b.email = p.email_normalized)",
        ),
    ],
}
WARRANTY_YEARS = 3


class DealerCampaignAddContacts(models.TransientModel):
    """«Добавить контакты»: clients from the system's data (segments) or from outside
    (the clipboard, a text file, an Excel file) into a campaign's planned contacts."""

    _name = "dealer.campaign.add.contacts"
    _description = "Add Contacts to a Campaign"

    campaign_id = fields.Many2one("dealer.campaign", required=True, ondelete="cascade")
    channel = fields.Selection(related="campaign_id.channel")
    source = fields.Selection(SOURCES, required=True, default="system")
    # System data: the general filters of the seed…
    partner_type = fields.Selection(
        [("all", "All"), ("person", "Individual"), ("company", "Company")],
        string="Client Type",
        default="person",
        required=True,
    )
    category_ids = fields.Many2many("res.partner.category", string="Tags")
    brand_ids = fields.Many2many("fleet.vehicle.model.brand", string="Vehicle Brands")
    model_ids = fields.Many2many("fleet.vehicle.model", string="Vehicle Models")
    vehicle_category_ids = fields.Many2many(
        "fleet.vehicle.model.category", string="Vehicle Classes"
    )
    year_from = fields.Integer()
    year_to = fields.Integer()
    warranty = fields.Selection(
        [("all", "All"), ("under", "Under Warranty"), ("expired", "Warranty Expired")],
        string="Warranty Period",
        default="all",
        required=True,
    )
    consent_personal_data_filter = fields.Selection(
        TRISTATE, string="Personal Data", default="all", required=True
    )
    consent_phone_survey_filter = fields.Selection(
        TRISTATE, string="Phone Survey", default="all", required=True
    )
    consent_sms_filter = fields.Selection(TRISTATE, string="SMS", default="all", required=True)
    consent_email_filter = fields.Selection(TRISTATE, string="E-mail", default="all", required=True)
    # …and per direction: CRM status and categories.
    line_ids = fields.One2many(
        "dealer.campaign.add.contacts.line", "wizard_id", string="Directions"
    )
    match_count = fields.Integer(string="Matching Clients", compute="_compute_match_count")
    # External sources.
    text = fields.Text(string="Pasted Text")
    file = fields.Binary()
    filename = fields.Char()
    sheet_name = fields.Char(string="Sheet", help="Empty: the sheet that was active when saved.")
    sheet_names = fields.Char(string="Sheets in the File", readonly=True)
    column_ids = fields.One2many(
        "dealer.campaign.add.contacts.column", "wizard_id", string="Columns"
    )
    create_unknown = fields.Boolean(
        string="Create Unknown Clients", help="Numbers no client has become new clients."
    )
    # The report.
    done = fields.Boolean(readonly=True)
    added_count = fields.Integer(string="Added", readonly=True)
    present_count = fields.Integer(string="Already in the Campaign", readonly=True)
    duplicate_count = fields.Integer(string="Repeated in the Source", readonly=True)
    excluded_count = fields.Integer(string="Excluded", readonly=True)
    excluded_text = fields.Text(string="Excluded by Reason", readonly=True)
    not_found_count = fields.Integer(string="Not Found", readonly=True)
    created_count = fields.Integer(string="New Clients", readonly=True)
    skipped_count = fields.Integer(string="Skipped Lines", readonly=True)
    report_file = fields.Binary(string="Report", readonly=True, attachment=False)
    report_filename = fields.Char(readonly=True)

    # --- system data ------------------------------------------------------------------
    def _system_sql(self):
        """The SELECT of the ids of the clients the filters describe."""
        self.ensure_one()
        where = [SQL("p.active"), SQL("p.type = 'contact'")]
        branches = (
            self.env["res.company"]
            .sudo()
            .search([("id", "child_of", self.campaign_id.company_id.id)])
            .ids
        )
        where.append(SQL("(p.company_id IS NULL OR p.company_id = ANY(%s))", branches))
        if self.partner_type != "all":
            where.append(SQL("p.is_company = %s", self.partner_type == "company"))
        # Clients only: not the users' and employees' own contacts.
        where.append(SQL("NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)"))
        if self.category_ids:
            where.append(
                SQL(
                    "EXISTS (SELECT 1 FROM res_partner_res_partner_category_rel r "
                    "WHERE r.partner_id = p.id AND r.category_id = ANY(%s))",
                    self.category_ids.ids,
                )
            )
        for fname, column in CONSENT_FILTERS.items():
            if self[fname] != "all":
                where.append(
                    SQL(
                        "COALESCE(%s, FALSE) = %s",
                        SQL.identifier("p", column),
                        self[fname] == "yes",
                    )
                )
        vehicle = self._vehicle_sql()
        if vehicle:
            where.append(
                SQL(
                    "EXISTS (SELECT 1 FROM dealer_vehicle v WHERE v.active "
                    "AND (v.owner_id = p.id OR v.customer_id = p.id) AND %s)",
                    SQL(" AND ").join(vehicle),
                )
            )
        for line in self.line_ids:
            status = line._status_sql()
            if status:
                where.append(
                    SQL(
                        "EXISTS (SELECT 1 FROM dealer_partner_status s WHERE s.partner_id = p.id "
                        "AND s.direction_id = %s AND %s)",
                        line.direction_id.id,
                        SQL(" AND ").join(status),
                    )
                )
        return SQL("SELECT p.id FROM res_partner p WHERE %s", SQL(" AND ").join(where))

    def _vehicle_sql(self):
        conditions = []
        if self.brand_ids:
            conditions.append(SQL("v.brand_id = ANY(%s)", self.brand_ids.ids))
        if self.model_ids:
            conditions.append(SQL("v.model_id = ANY(%s)", self.model_ids.ids))
        if self.vehicle_category_ids:
            conditions.append(
                SQL(
                    "EXISTS (SELECT 1 FROM fleet_vehicle_model m WHERE m.id = v.model_id "
                    "AND m.category_id = ANY(%s))",
                    self.vehicle_category_ids.ids,
                )
            )
        if self.year_from:
            conditions.append(SQL("v.year >= %s", self.year_from))
        if self.year_to:
            conditions.append(SQL("v.year <= %s", self.year_to))
        if self.warranty != "all":
            limit = fields.Date.context_today(self) - timedelta(days=365 * WARRANTY_YEARS)
            conditions.append(
                SQL("v.warranty_start_date > %s", limit)
                if self.warranty == "under"
                else SQL("v.warranty_start_date <= %s", limit)
            )
        return conditions

    @api.depends(
        "source",
        "partner_type",
        "category_ids",
        "brand_ids",
        "model_ids",
        "vehicle_category_ids",
        "year_from",
        "year_to",
        "warranty",
        "consent_personal_data_filter",
        "consent_phone_survey_filter",
        "consent_sms_filter",
        "consent_email_filter",
        "line_ids",
        "line_ids.status_ids",
        "line_ids.amount_range_ids",
        "line_ids.count_range_ids",
        "line_ids.recency_range_ids",
        "line_ids.avg_check_range_ids",
        "line_ids.last_visit_after",
        "line_ids.last_visit_before",
    )
    def _compute_match_count(self):
        for wizard in self:
            if wizard.source != "system" or not wizard.campaign_id:
                wizard.match_count = 0
                continue
            self.env.cr.execute(SQL("SELECT count(*) FROM (%s) q", wizard._system_sql()))
            wizard.match_count = self.env.cr.fetchone()[0]

    # --- external sources ---------------------------------------------------------------
    def _file_bytes(self):
        if not self.file:
            raise UserError(self.env._("Choose a file first."))
        return base64.b64decode(self.file)

    def _import_error(self, error):
        return UserError(error.translated(self.env.lang))

    def _read_rows(self):
        """(rows, skipped lines) of the external source."""
        try:
            if self.source == "clipboard":
                return parse_text(self.text or "")
            if self.source == "text":
                data = self._file_bytes()
                for encoding in ("utf-8-sig", "cp1251"):
                    try:
                        text = data.decode(encoding)
                        break
                    except UnicodeDecodeError:
                        continue
                return parse_text(text)
            data = self._file_bytes()
            mapping = {c.index: c.role for c in self.column_ids} or None
            table = read_excel(data, self.sheet_name or None, mapping)
            return table.rows, table.skipped
        except ContactImportError as error:
            raise self._import_error(error) from error

    def action_preview(self):
        """Read the Excel file: its sheets and the columns found, for the user to correct."""
        self.ensure_one()
        if self.source != "excel":
            return self._reopen()
        try:
            data = self._file_bytes()
            sheets, active = workbook_sheets(data)
            table = read_excel(data, self.sheet_name or active, None)
        except ContactImportError as error:
            raise self._import_error(error) from error
        self.column_ids = [(5, 0, 0)] + [
            (
                0,
                0,
                {
                    "index": index,
                    "header": header or "",
                    "role": table.mapping.get(index, "ignore"),
                },
            )
            for index, header in enumerate(table.headers)
        ]
        self.write({"sheet_name": self.sheet_name or table.sheet, "sheet_names": ", ".join(sheets)})
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # --- matching -------------------------------------------------------------------------
    def _match(self, rows):
        """Clients of the rows: every number of a row (main phone column first) through
        the normalized phone index as find_by_phone ranks it, else the VIN or plate.
        Returns (partner ids in row order, rows not found, duplicates in the source)."""
        country = self.campaign_id.company_id.country_id.code or "RU"
        wanted = {}
        for row in rows:
            row.normalized = [n for n in (normalize_phone(p, country) for p in row.phones) if n]
            for number in row.normalized:
                wanted.setdefault(number, None)
        by_number = self._partners_by_number(list(wanted))
        by_vin, by_plate = self._partners_by_vehicle(rows)
        found, not_found, seen, duplicates = [], [], set(), 0
        for row in rows:
            partner_id = next((by_number[n] for n in row.normalized if n in by_number), None)
            if not partner_id and row.vin:
                partner_id = by_vin.get(normalize_vin(row.vin))
            if not partner_id and row.plate:
                partner_id = by_plate.get(normalize_plate(row.plate))
            if not partner_id:
                not_found.append(row)
            elif partner_id in seen:
                duplicates += 1
            else:
                seen.add(partner_id)
                found.append(partner_id)
        return found, not_found, duplicates

    def _partners_by_number(self, numbers):
        """The best client of each normalized number (find_by_phone's ranking: people
        before companies, the client's main number, the last contacted), in one query."""
        if not numbers:
            return {}
        self.env["dealer.partner.phone"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT ON (phone.number_normalized)
                          phone.number_normalized, phone.partner_id
                     FROM dealer_partner_phone phone
                     JOIN res_partner partner ON partner.id = phone.partner_id
                    WHERE phone.number_normalized = ANY(%s) AND partner.active
                    ORDER BY phone.number_normalized, partner.is_company, phone.sequence,
                             partner.last_incoming_contact DESC NULLS LAST, partner.id""",
                numbers,
            )
        )
        rows = self.env.cr.fetchall()
        # The record rules applied in SQL, not client by client in Python.
        visible = set(
            self.env["res.partner"].search([("id", "in", list({p for _n, p in rows}))]).ids
        )
        return {number: partner for number, partner in rows if partner in visible}

    def _partners_by_vehicle(self, rows):
        vins = {normalize_vin(r.vin) for r in rows if r.vin} - {False, None, ""}
        plates = {normalize_plate(r.plate) for r in rows if r.plate} - {False, None, ""}
        if not vins and not plates:
            return {}, {}
        Vehicle = self.env["dealer.vehicle"]
        vehicles = Vehicle.search(
            ["|", ("vin", "in", list(vins)), ("plate_normalized", "in", list(plates))]
        )
        by_vin, by_plate = {}, {}
        for vehicle in vehicles:
            partner = (vehicle.customer_id or vehicle.owner_id).id
            if partner:
                by_vin.setdefault(vehicle.vin, partner)
                by_plate.setdefault(vehicle.plate_normalized, partner)
        return by_vin, by_plate

    def _create_clients(self, rows):
        values, seen = [], set()
        for row in rows:
            number = next((n for n in getattr(row, "normalized", []) if n), None)
            if not number or number in seen:
                continue
            seen.add(number)
            values.append(
                {"name": row.name or number, "mobile": number, "email": row.email or False}
            )
        return self.env["res.partner"].create(values).ids

    # --- adding ---------------------------------------------------------------------------
    def action_add(self):
        self.ensure_one()
        campaign = self.campaign_id
        if campaign.state == "closed":
            raise UserError(self.env._("A closed campaign takes no new contacts."))
        skipped, not_found, duplicates, created = [], [], 0, []
        if self.source == "system":
            self.env.flush_all()
            self.env.cr.execute(SQL("%s ORDER BY p.id", self._system_sql()))
            found = [row[0] for row in self.env.cr.fetchall()]
        else:
            rows, skipped = self._read_rows()
            found, not_found, duplicates = self._match(rows)
            if self.create_unknown and not_found:
                created = self._create_clients(not_found)
                not_found = [r for r in not_found if not getattr(r, "normalized", None)]
                found += created
        counts = self._insert(found)
        labels = dict(self._exclusion_labels())
        excluded = {reason: count for reason, count in counts["excluded"].items() if count}
        self.write(
            {
                "done": True,
                "added_count": counts["added"],
                "present_count": counts["present"],
                "duplicate_count": duplicates,
                "excluded_count": sum(excluded.values()),
                "excluded_text": "\n".join(f"{labels[r]}: {c}" for r, c in excluded.items()),
                "not_found_count": len(not_found),
                "created_count": len(created),
                "skipped_count": len(skipped),
            }
        )
        self._write_report(excluded, labels, not_found, skipped)
        # Logged, not sent: whoever adds needs no e-mail address of their own.
        campaign._message_log(
            body=self.env._(
                "Contacts added: %(added)s (%(origin)s); already present %(present)s, excluded "
                "%(excluded)s, not found %(not_found)s.",
                added=counts["added"],
                origin=dict(self._fields["source"]._description_selection(self.env))[self.source],
                present=counts["present"],
                excluded=sum(excluded.values()),
                not_found=len(not_found),
            )
        )
        return self._reopen()

    def _exclusion_labels(self):
        return [
            ("do_not_call", self.env._("Do not call")),
            ("no_phone", self.env._("No phone number")),
            ("no_consent", self.env._("No consent for the channel")),
            ("blacklisted", self.env._("Blacklisted")),
            ("no_email", self.env._("No e-mail address")),
        ]

    def _insert(self, partner_ids):
        """Add the clients ``partner_ids`` not excluded by the channel and not yet in
        the campaign; count each kind. Many clients are added in parts at the same time
        (``tools.bulk``); a part that failed is reported, the others stay added, and
        adding again finishes it (those added are skipped)."""
        campaign, source = self.campaign_id, self.source
        parts = part_count(self.env, len(partner_ids))
        if parts == 1:
            return self._insert_part(campaign, source, partner_ids)
        results, errors = run_parts(
            self.browse(),
            "_insert_part",
            [(campaign, source, ids) for ids in split(partner_ids, parts)],
        )
        self.env["dealer.campaign.contact"].invalidate_model()
        done = [result for result in results if result]
        counts = {
            "added": sum(result["added"] for result in done),
            "present": sum(result["present"] for result in done),
            "excluded": {},
        }
        for result in done:
            for reason, count in result["excluded"].items():
                counts["excluded"][reason] = counts["excluded"].get(reason, 0) + count
        failed = [error for error in errors if error]
        if failed:
            raise UserError(
                self.env._(
                    "%(added)s clients were added; the others were not (%(error)s). Add "
                    "them again: those already in the campaign are skipped.",
                    added=counts["added"],
                    error=failed[0],
                )
            )
        return counts

    @api.model
    def _insert_part(self, campaign, source, partner_ids):
        """``_insert`` in one set-based statement."""
        self.env.flush_all()
        exclusions = EXCLUSIONS[campaign.channel]
        reason = SQL(
            "CASE %s ELSE NULL END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", SQL(condition), name) for name, condition in exclusions
            ),
        )
        self.env.cr.execute(
            SQL(
                # Clients already in the campaign read once: probed per row, the
                # index would also walk the rows this statement inserts.
                """WITH present AS MATERIALIZED (
                       SELECT partner_id FROM dealer_campaign_contact
                        WHERE campaign_id = %(campaign)s),
                   c AS (
                       SELECT p.id, %(reason)s AS reason, x.partner_id IS NOT NULL AS present,
                              COALESCE(NULLIF(p.mobile, ''), p.phone) AS phone
                         FROM res_partner p LEFT JOIN present x ON x.partner_id = p.id
                        WHERE p.id IN (SELECT unnest(%(candidates)s::int[]))),
                   ins AS (
                       INSERT INTO dealer_campaign_contact
                           (campaign_id, partner_id, phone, state, source,
                            create_uid, create_date, write_uid, write_date)
                       SELECT %(campaign)s, c.id, c.phone, 'planned', %(source)s,
                              %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                         FROM c WHERE c.reason IS NULL AND NOT c.present
                       ON CONFLICT (campaign_id, partner_id) DO NOTHING
                       RETURNING 1)
                   SELECT (SELECT count(*) FROM ins),
                          (SELECT count(*) FROM c WHERE c.present AND c.reason IS NULL),
                          (SELECT json_object_agg(r, n) FROM (
                              SELECT reason AS r, count(*) AS n FROM c
                               WHERE reason IS NOT NULL GROUP BY reason) g)""",
                reason=reason,
                campaign=campaign.id,
                candidates=partner_ids,
                source=source,
                uid=self.env.uid,
            )
        )
        added, present, excluded = self.env.cr.fetchone()
        self.env["dealer.campaign.contact"].invalidate_model()
        return {"added": added, "present": present, "excluded": excluded or {}}

    def _write_report(self, excluded, labels, not_found, skipped):
        """A CSV the user downloads: the figures, then every line not added and why."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([self.env._("Result"), self.env._("Count")])
        writer.writerow([self.env._("Added"), self.added_count])
        writer.writerow([self.env._("Already in the campaign"), self.present_count])
        writer.writerow([self.env._("Repeated in the source"), self.duplicate_count])
        for reason, count in excluded.items():
            writer.writerow([self.env._("Excluded: %s", labels[reason]), count])
        writer.writerow([self.env._("Not found"), len(not_found)])
        writer.writerow([])
        writer.writerow([self.env._("Line"), self.env._("Text"), self.env._("Reason")])
        for row in not_found:
            writer.writerow(
                [row.line, row.raw, self.env._("No client has this number, VIN or plate")]
            )
        for line, raw, reason in skipped:
            writer.writerow(
                [line, raw, self.env._(SKIP_REASONS[reason]) if reason in SKIP_REASONS else reason]
            )
        data = buffer.getvalue().encode("utf-8-sig")
        self.write(
            {
                "report_file": base64.b64encode(data),
                "report_filename": f"campaign-{self.campaign_id.id}-{date.today().isoformat()}.csv",
            }
        )
