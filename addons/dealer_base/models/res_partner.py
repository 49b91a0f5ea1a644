from datetime import datetime

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, escape_psql

from ..tools import (
    DATE_MIN,
    NAME_KEY_SQL,
    NAME_WORDS_MAX,
    PHONE_NUMBER_MAX,
    check_limit,
    check_search,
    check_search_value,
    check_text,
    check_vals,
    name_key,
    name_words,
    normalize_phone,
    phone_digits,
)

# Consents kept with the moment and the user who last changed them.
CONSENT_FIELDS = (
    "consent_personal_data",
    "consent_sms",
    "consent_email",
    "consent_phone_survey",
    "do_not_call",
)
EPOCH = datetime(1970, 1, 1)
# Shorter digit strings match too much to be worth a fragment search.
PHONE_FRAGMENT_MIN_DIGITS = 5
CLIENT_SEARCH_OPERATORS = ("ilike", "=", "like", "=ilike")
# Typed words shorter than this, starting a word of a name, are too common to search
# the trigram index with.
NAME_INDEXED_MIN = 3
NAME_INDEX = "res_partner_dealer_name_key_tsv_index"


class ResPartner(models.Model):
    _inherit = "res.partner"

    phone_ids = fields.One2many("dealer.partner.phone", "partner_id", string="Phone Numbers")
    birthday = fields.Date()
    birthday_month = fields.Integer(compute="_compute_birthday_month", store=True)
    consent_personal_data = fields.Boolean(
        string="Personal Data Processing",
        tracking=True,
        help="Consent to personal data processing.",
    )
    consent_personal_data_date = fields.Datetime(string="Personal Data Consent Date", readonly=True)
    consent_personal_data_user_id = fields.Many2one(
        "res.users", string="Personal Data Consent Set By", readonly=True
    )
    consent_sms = fields.Boolean(string="SMS Allowed", tracking=True)
    consent_sms_date = fields.Datetime(string="SMS Consent Date", readonly=True)
    consent_sms_user_id = fields.Many2one("res.users", string="SMS Consent Set By", readonly=True)
    consent_email = fields.Boolean(string="E-mail Allowed", tracking=True)
    consent_email_date = fields.Datetime(string="E-mail Consent Date", readonly=True)
    consent_email_user_id = fields.Many2one(
        "res.users", string="E-mail Consent Set By", readonly=True
    )
    consent_phone_survey = fields.Boolean(string="Phone Surveys Allowed", tracking=True)
    consent_phone_survey_date = fields.Datetime(string="Phone Survey Consent Date", readonly=True)
    consent_phone_survey_user_id = fields.Many2one(
        "res.users", string="Phone Survey Consent Set By", readonly=True
    )
    do_not_call = fields.Boolean(tracking=True)
    do_not_call_date = fields.Datetime(readonly=True)
    do_not_call_user_id = fields.Many2one("res.users", string="Do Not Call Set By", readonly=True)
    last_incoming_contact = fields.Datetime(readonly=True, copy=False)
    last_outgoing_contact = fields.Datetime(readonly=True, copy=False)
    dealer_name_key = fields.Char(
        string="Name Words",
        compute="_compute_dealer_name_key",
        store=True,
        help="The words of the name in lower case, ё as е: what name search compares.",
    )
    client_search = fields.Char(
        string="Client",
        compute="_compute_client_search",
        search="_search_client_search",
        help="Name, phone in any format, e-mail or reference.",
    )
    dealer_is_client = fields.Boolean(
        string="Dealership Client",
        compute="_compute_dealer_is_client",
        search="_search_dealer_is_client",
        help="A client of the dealership: not the partner of a user or an employee, not "
        "a branch or one of its contacts, not a partner that Odoo or one of its apps "
        "installs (such as the demo companies).",
    )

    @api.depends("birthday")
    def _compute_birthday_month(self):
        for partner in self:
            partner.birthday_month = partner.birthday.month if partner.birthday else 0

    @api.depends("complete_name")
    def _compute_dealer_name_key(self):
        for partner in self:
            partner.dealer_name_key = name_key(partner.complete_name)

    def _auto_init(self):
        # On an existing database, fill the new column in one statement rather than
        # recomputing a million clients in Python.
        missing = not column_exists(self.env.cr, self._table, "dealer_name_key")
        if missing:
            create_column(self.env.cr, self._table, "dealer_name_key", "varchar")
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET dealer_name_key = %s",
                    SQL(NAME_KEY_SQL, SQL.identifier("complete_name")),
                )
            )
        return super()._auto_init()

    def _compute_client_search(self):
        self.client_search = False

    def _compute_dealer_is_client(self):
        others = set(self.env.execute_query(self._dealer_not_client_query()))
        for partner in self:
            partner.dealer_is_client = (partner._origin.id,) not in others

    def _search_dealer_is_client(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._(
                    "Dealership clients are searched with = or != and True or False, "
                    "not %(operator)s %(value)r.",
                    operator=operator,
                    value=value,
                )
            )
        positive = (operator == "=") == value
        return [("id", "not in" if positive else "in", self._dealer_not_client_query())]

    @api.model
    def _dealer_not_client_query(self):
        """SQL selecting the ids of the partners who are not the dealership's clients:
        those of internal users (archived ones too) and employees, the branches
        (res.company) and their contacts, and the partners with an XML id of Odoo or
        of an Odoo app (base's demo companies, OdooBot...); the dealer addons' own
        records and imported or exported clients (``__import__``, ``__export__``)
        stay clients. Never NULL, so that it can be used with NOT IN. Read without
        record rules: it only tells who is not a client."""
        for model in ("res.users", "res.company", "ir.model.data"):
            self.env[model].flush_model()
        self.flush_model(["commercial_partner_id"])
        queries = [
            SQL("SELECT partner_id FROM res_users WHERE share IS NOT TRUE"),
            SQL(
                """
                SELECT partner.id
                  FROM res_partner partner
                  JOIN res_company company
                    ON company.partner_id = partner.commercial_partner_id
                """
            ),
            SQL("SELECT partner_id FROM res_company"),
            SQL(
                """
                SELECT res_id FROM ir_model_data
                 WHERE model = 'res.partner' AND res_id IS NOT NULL
                   AND module NOT LIKE %s AND module NOT LIKE %s
                """,
                r"dealer\_%",
                r"\_\_%",
            ),
        ]
        if "hr.employee" in self.env:
            self.env["hr.employee"].flush_model(["work_contact_id"])
            queries.append(
                SQL("SELECT work_contact_id FROM hr_employee WHERE work_contact_id IS NOT NULL")
            )
        return SQL("(%s)", SQL(" UNION ").join(queries))

    def _search_client_search(self, operator, value):
        """Clients matching ``value`` (see ``_client_search_domain``). Empty text
        matches nobody; an unsupported operator, a value that is not text, control
        characters or an overlong text are refused with a clear error."""
        if operator not in CLIENT_SEARCH_OPERATORS:
            raise UserError(
                self.env._(
                    "The client search only finds clients by text (operator %(operator)s).",
                    operator=operator,
                )
            )
        return self._client_search_domain(check_search(self.env, value, self.env._("Client")))

    def _client_text_columns(self):
        """Columns client search matches fragments in: Odoo's own partner search
        columns (``_rec_names_search``, which other modules extend) and ours."""
        names = dict.fromkeys([*self._rec_names_search, "complete_name", "email", "ref"])
        return [
            name
            for name in names
            if (field := self._fields.get(name))
            and field.store
            and field.type == "char"
            and not field.translate
        ]

    def init(self):
        # Client search matches fragments of these columns: trigram indexes keep it
        # fast on millions of clients.
        if self.env.registry.has_trigram:
            for column in self._client_text_columns():
                tools.create_index(
                    self.env.cr,
                    f"res_partner_{column}_dealer_trgm_index",
                    self._table,
                    [f"{column} gin_trgm_ops"],
                    method="gin",
                )
        # Name search looks words up in this index: a rare surname narrows it down
        # at once, where trigrams of common word starts would be read in full.
        tools.create_index(
            self.env.cr,
            NAME_INDEX,
            self._table,
            ["to_tsvector('simple', dealer_name_key)"],
            method="gin",
        )

    @api.model
    def _client_search_domain(self, value):
        """Clients matching ``value`` as staff type it into a search box: a name,
        an e-mail, a reference or a phone number in any format or fragment."""
        queries = self._client_search_queries(value) if value else []
        if not queries:
            return expression.FALSE_DOMAIN
        # One indexed query per criterion, united: an OR of the same criteria in one
        # WHERE clause scans the whole client table.
        return [("id", "in", SQL("(%s)", SQL(" UNION ").join(queries)))]

    @api.model
    def _client_search_queries(self, value):
        """SQL queries selecting the ids of clients matching ``value``; modules
        add their own criteria (e.g. vehicles)."""
        columns = self._client_text_columns()
        self.flush_model(columns)
        self.env["dealer.partner.phone"].flush_model(["partner_id", "number_normalized"])
        pattern = f"%{escape_psql(value)}%"
        queries = [
            SQL("SELECT id FROM res_partner WHERE %s ILIKE %s", SQL.identifier(column), pattern)
            for column in columns
        ]
        words = name_words(value)[:NAME_WORDS_MAX]
        condition = words and self._name_word_conditions(words, words)
        if condition:
            # Every typed word starts a word of the name, in any order and case.
            self.flush_model(["dealer_name_key"])
            queries.append(SQL("SELECT id FROM res_partner WHERE %s", condition))
        normalized = normalize_phone(value, self._phone_country_code())
        if normalized:
            queries.append(
                SQL(
                    "SELECT partner_id FROM dealer_partner_phone WHERE number_normalized = %s",
                    normalized,
                )
            )
        digits = phone_digits(value)
        if len(digits) >= PHONE_FRAGMENT_MIN_DIGITS and not any(c.isalpha() for c in value):
            fragments = {digits}
            if digits.startswith("8") and len(digits) >= 7:
                fragments.add("7" + digits[1:])
            queries += [
                SQL(
                    "SELECT partner_id FROM dealer_partner_phone WHERE number_digits LIKE %s",
                    f"%{fragment}%",
                )
                for fragment in sorted(fragments)
            ]
        return queries

    @api.model
    def _name_word_conditions(self, words, prefix=(), alias="res_partner"):
        """SQL conditions: each of ``words`` (from ``name_words``) is a word of the
        client's name, or starts one for those also in ``prefix``. Words are looked
        up in the index of ``dealer_name_key`` (NAME_INDEX), except short ones
        starting a word, which most names have: those are only checked on the rows
        the others select. None when no word can be looked up."""
        column = SQL.identifier(alias, "dealer_name_key")
        terms, conditions = [], []
        for word in words:
            start = word in prefix
            if not start:
                terms.append(word)
            elif len(word) >= NAME_INDEXED_MIN:
                terms.append(f"{word}:*")
            pattern = f"% {escape_psql(word)}{'' if start else ' '}%"
            conditions.append(SQL("%s LIKE %s", column, pattern))
        if not terms:
            return None
        # The words are letters and digits only (name_words): safe in a tsquery.
        lookup = SQL(
            "to_tsvector('simple', %s) @@ to_tsquery('simple', %s)", column, " & ".join(terms)
        )
        return SQL(" AND ").join([lookup, *conditions])

    @api.model
    @api.returns("self", lambda value: value.ids)
    def dealer_find_by_name(self, text, limit=8, domain=()):
        """Active clients whose name has the typed words of ``text`` as words, in
        any order, case and ё/е spelling ("Иван Иванов"), at most ``limit``, best
        first: the name exactly (same words), then the names having every typed
        word. When no name has them all, the last typed word may start a word
        ("иванов и", "смирнов серг"), and failing that every typed word. In each
        group clients of the user's branch or of none come before those of other
        branches, then the most recently contacted, then by name. Record rules
        apply; ``domain`` restricts the clients further."""
        limit = check_limit(self.env, limit) or 8
        words = list(dict.fromkeys(name_words(text)))[:NAME_WORDS_MAX]
        if not words:
            return self.browse()
        self.flush_model(
            [
                "dealer_name_key",
                "complete_name",
                "company_id",
                "last_incoming_contact",
                "last_outgoing_contact",
            ]
        )
        alias = self._table
        column = SQL.identifier(alias, "dealer_name_key")
        # Exactly the typed words, in any order: the sorted words are equal.
        exact = SQL(
            "ARRAY(SELECT word FROM unnest(string_to_array(btrim(%s), ' ')) word "
            'ORDER BY word COLLATE "C") = %s::text[]',
            column,
            sorted(name_words(text)),
        )
        # Clients without a branch are every branch's; then alphabetical, as
        # Odoo orders clients.
        order = SQL(
            "%s DESC, COALESCE(%s = %s, TRUE) DESC, %s, %s, %s DESC",
            exact,
            SQL.identifier(alias, "company_id"),
            self.env.company.id,
            SQL(", ").join(self._dealer_name_recency(alias)),
            SQL.identifier(alias, "complete_name"),
            SQL.identifier(alias, "id"),
        )
        # Whole words first: few rows, found at once even for common names; the
        # starts of words only when no name has them all whole (typing goes on).
        for prefix in dict.fromkeys(((), tuple(words[-1:]), tuple(words))):
            condition = self._name_word_conditions(words, prefix, alias)
            if condition is None:
                continue
            query = self._search(list(domain))
            query.add_where(condition)
            query.order = order
            query.limit = limit
            rows = self.env.execute_query(query.select(SQL.identifier(alias, "id")))
            if rows:
                return self.browse([row_id for (row_id,) in rows])
        return self.browse()

    @api.model
    def _dealer_name_recency(self, alias):
        """How namesakes are ordered after the exact name and the branch: the most
        recently contacted first. Modules knowing more of the contacts refine it."""
        return [
            SQL(
                "GREATEST(%s, %s) DESC NULLS LAST",
                SQL.identifier(alias, "last_incoming_contact"),
                SQL.identifier(alias, "last_outgoing_contact"),
            )
        ]

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """Odoo's name search, with its arguments checked: ``name`` must be text and
        ``limit`` a whole number, or the caller gets a clear error."""
        check_search_value(self.env, operator, name, self.env._("Client"))
        check_limit(self.env, limit)
        return super().name_search(name, args, operator, limit)

    @api.model
    def _search_display_name(self, operator, value):
        check_search_value(self.env, operator, value, self.env._("Client"))
        text = check_search(self.env, value, self.env._("Client")) if isinstance(value, str) else ""
        if operator in ("ilike", "like") and text:
            # Odoo's criteria are among ours; OR-ing both domains in one WHERE clause
            # would scan every client. Contacts of a matching company match too, as in
            # Odoo's own partner search.
            domain = self._client_search_domain(text)
            return [("id", "child_of", self._search(domain))]
        return super()._search_display_name(operator, value)

    @api.model
    def _phone_country_code(self):
        """Country in which numbers without a country code are read: the company's."""
        return self._company_country_code(self.env.company.id)

    @tools.ormcache("company_id")
    def _company_country_code(self, company_id):
        # Cached: every phone lookup needs it, and the company's country is a
        # non-stored field costing milliseconds per request. Cleared in write().
        company = self.env["res.company"].sudo().browse(company_id)
        return company.partner_id.country_id.code or "RU"

    @api.model
    @api.returns("self", lambda value: value.ids)
    def find_by_phone(self, raw):
        """Active clients having the number ``raw`` (any format), best match first:
        individuals before companies, then clients for whom it is the main number,
        then the most recently contacted. Text that is no valid number gives an
        empty recordset; a value that is not text is refused with a clear error."""
        if raw not in (None, False) and not isinstance(raw, str):
            raise UserError(self.env._("The phone number must be text."))
        normalized = normalize_phone(raw, self._phone_country_code())
        if not normalized:
            return self.browse()
        self.env["dealer.partner.phone"].flush_model(
            ["number_normalized", "partner_id", "sequence"]
        )
        self.flush_model(["active", "is_company", "last_incoming_contact"])
        # A plain two-table query on the normalized index: planning dominates at
        # this size, so the few rows are ranked here. The access filter applies the
        # record rules the raw query bypasses.
        self.env.cr.execute(
            SQL(
                """
                SELECT phone.partner_id, partner.is_company, phone.sequence,
                       partner.last_incoming_contact
                  FROM dealer_partner_phone phone
                  JOIN res_partner partner ON partner.id = phone.partner_id
                 WHERE phone.number_normalized = %s AND partner.active
                """,
                normalized,
            )
        )
        rank = {}
        for partner_id, is_company, sequence, last_contact in self.env.cr.fetchall():
            key = (is_company, sequence, -(last_contact or EPOCH).timestamp(), partner_id)
            rank[partner_id] = min(rank.get(partner_id, key), key)
        return self.browse(sorted(rank, key=rank.get))._filtered_access("read")

    # --- consents ---------------------------------------------------------
    def _consent_stamp(self, vals):
        now = fields.Datetime.now()
        for fname in CONSENT_FIELDS:
            if fname in vals:
                vals[f"{fname}_date"] = now
                vals[f"{fname}_user_id"] = self.env.uid
        return vals

    # --- input checks -------------------------------------------------------
    def _dealer_check_vals(self, vals):
        """Checks of the values of the fields this addon adds or keeps in sync with
        its phone list; Odoo's other partner fields are left to Odoo."""
        own = {name: vals[name] for name in vals if name in self._dealer_checked_fields()}
        check_vals(self, own)
        for name in ("phone", "mobile"):
            if vals.get(name):
                check_text(
                    self.env,
                    vals[name],
                    self._fields[name]._description_string(self.env),
                    max_length=PHONE_NUMBER_MAX,
                )
        return vals

    @api.model
    def _dealer_checked_fields(self):
        return {
            "birthday",
            "last_incoming_contact",
            "last_outgoing_contact",
            *CONSENT_FIELDS,
            *(f"{name}_date" for name in CONSENT_FIELDS),
            *(f"{name}_user_id" for name in CONSENT_FIELDS),
        }

    @api.constrains("birthday")
    def _check_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self.filtered("birthday"):
            if not DATE_MIN <= partner.birthday <= today:
                raise ValidationError(
                    self.env._(
                        "The birthday of %(client)s must be between 1900 and today, not %(date)s.",
                        client=partner.display_name,
                        date=partner.birthday,
                    )
                )

    # --- phone / mobile kept in sync with the phone list --------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._dealer_check_vals(vals)
            self._consent_stamp(vals)
            if not vals.get("phone_ids") and not self.env.context.get("dealer_phone_sync"):
                lines = []
                if vals.get("mobile"):
                    lines.append({"number": vals["mobile"], "phone_type": "mobile", "sequence": 1})
                if vals.get("phone") and vals.get("phone") != vals.get("mobile"):
                    kind = "work" if vals.get("is_company") else "home"
                    lines.append({"number": vals["phone"], "phone_type": kind, "sequence": 2})
                if lines:
                    vals["phone_ids"] = [fields.Command.create(line) for line in lines]
        return super().create(vals_list)

    def write(self, vals):
        self._dealer_check_vals(vals)
        self._consent_stamp(vals)
        company_country_changed = "country_id" in vals and bool(
            self.env["res.company"].sudo().search_count([("partner_id", "in", self.ids)], limit=1)
        )
        # The phone list, when written, is the master copy of phone and mobile.
        sync_phones = (
            not self.env.context.get("dealer_phone_sync")
            and "phone_ids" not in vals
            and bool({"phone", "mobile"} & set(vals))
        )
        previous = {p.id: (p.phone, p.mobile) for p in self} if sync_phones else {}
        res = super().write(vals)
        for partner in self if sync_phones else ():
            old_phone, old_mobile = previous[partner.id]
            if "mobile" in vals:
                partner._upsert_phone_line(old_mobile, vals["mobile"], mobile=True)
            if "phone" in vals:
                partner._upsert_phone_line(old_phone, vals["phone"], mobile=False)
        if company_country_changed:
            self.env.registry.clear_cache()  # _company_country_code
        return res

    def _upsert_phone_line(self, old, new, mobile):
        self.ensure_one()
        if (old or False) == (new or False):
            return
        lines = self.phone_ids.filtered(lambda ln: (ln.phone_type == "mobile") == mobile)
        line = lines.filtered(lambda ln: ln.number == old)[:1] if old else lines.browse()
        if line and new:
            line.number = new
        elif line:
            line.unlink()
        elif new:
            kind = "mobile" if mobile else ("work" if self.is_company else "home")
            self.env["dealer.partner.phone"].create(
                {"partner_id": self.id, "number": new, "phone_type": kind, "sequence": 5}
            )

    def _sync_phone_fields(self):
        for partner in self.with_context(dealer_phone_sync=True):
            lines = partner.phone_ids.sorted(lambda ln: (ln.sequence, ln.id))
            mobile = lines.filtered(lambda ln: ln.phone_type == "mobile")[:1].number or False
            phone = lines.filtered(lambda ln: ln.phone_type != "mobile")[:1].number or False
            if (partner.phone or False, partner.mobile or False) != (phone, mobile):
                partner.write({"phone": phone, "mobile": mobile})
