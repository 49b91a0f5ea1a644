import json
from datetime import timedelta
from urllib.parse import parse_qsl

import odoo
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# What is kept of a request's body: enough to replay any real event.
BODY_MAX = 64 * 1024
PURGE_BATCH = 10_000
DEFAULT_KEEP_DAYS = 30
DEFAULT_KEEP_ROWS = 1_000_000
# Headers worth keeping (never cookies or authorization).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Length",
    "User-Agent",
    "X-Forwarded-For",
    "X-Real-IP",
    "X-Dealer-Signature",
    "Signature",
)


class DealerPbxRequest(models.Model):
    """Every request posted to the webhook, accepted or refused, as received: nothing
    is silently lost and a bad day can be replayed. Bounded: bodies are cut at
    64 KB, and a daily job keeps ``dealer_pbx.request_log_days`` days and at most
    ``dealer_pbx.request_log_max_rows`` rows."""

    _name = "dealer.pbx.request"
    _description = "PBX Webhook Request"
    _order = "id desc"
    _rec_name = "path"

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    pbx_id = fields.Many2one("dealer.pbx", string="PBX", ondelete="cascade", index=True)
    token_found = fields.Boolean(string="Known Token")
    method = fields.Char()
    path = fields.Char(help="The path with the token masked.")
    suffix = fields.Char(help="The path after the token (Mango's events/...).")
    remote_addr = fields.Char(string="Remote Address")
    headers = fields.Text()
    body = fields.Text()
    body_size = fields.Integer(help="Bytes received.")
    body_truncated = fields.Boolean()
    status = fields.Integer(string="Status Code", index=True)
    error = fields.Char()
    event_count = fields.Integer(string="Events")
    duplicate_count = fields.Integer(string="Duplicates")

    @api.model
    def _log(self, values):
        """Store one request (sudo: the webhook has no user; only administrators read
        the log)."""
        columns, row = self._log_row(values)
        self.env.cr.execute(
            SQL("INSERT INTO dealer_pbx_request (%s) VALUES (%s) RETURNING id", columns, row)
        )
        # sudo: only administrators read the log.
        return self.sudo().browse(self.env.cr.fetchone()[0])

    @api.model
    def _log_row(self, values):
        """(columns, values) of the request ``values`` (as the webhook has them: the raw
        body and headers), for an INSERT: one per webhook request, on its hot path,
        made with the events it stores (``dealer.pbx.call._dealer_store``). The log's
        columns are plain (no computed field, no tracking): the ORM's create is
        skipped."""
        values = dict(values)
        body = values.pop("raw_body", b"") or b""
        values["body_size"] = len(body)
        values["body_truncated"] = len(body) > BODY_MAX
        values["body"] = body[:BODY_MAX].decode("utf-8", errors="replace")
        headers = values.pop("raw_headers", None) or {}
        kept = {name: headers.get(name) for name in KEPT_HEADERS if headers.get(name)}
        values["headers"] = json.dumps(kept, ensure_ascii=False)
        values.setdefault("date", fields.Datetime.now())
        # cr.now(), without a query of its own
        now = SQL("now() AT TIME ZONE 'UTC'")
        values.update(create_uid=self.env.uid, create_date=now, write_uid=self.env.uid)
        values["write_date"] = now
        return (
            SQL(", ").join(SQL.identifier(self._fields[name].name) for name in values),
            SQL(", ").join(
                value if value is not False or self._fields[name].type == "boolean" else None
                for name, value in values.items()
            ),
        )

    # --- replay -----------------------------------------------------------------------
    def action_replay(self):
        """Feed the stored requests' events again (administrators, e.g. after a fix):
        events already stored stay unique, so replaying twice changes nothing."""
        if not self.env.user.has_group("base.group_system"):
            raise UserError(self.env._("Only administrators can replay PBX requests."))
        for request in self.sorted("id"):
            if not request.pbx_id or request.body_truncated:
                raise UserError(
                    self.env._("Request %s cannot be replayed: no PBX or a cut body.", request.id)
                )
            adapter = request.pbx_id._adapter()
            body = (request.body or "").encode()
            form = dict(parse_qsl(request.body or "", keep_blank_values=True))
            headers = json.loads(request.headers or "{}")
            events = adapter.parse(headers, body, form, request.suffix or "", None)
            result = request.pbx_id._dealer_ingest(events, request_id=request.id)
            request.write(
                {"event_count": result["stored"], "duplicate_count": result["duplicates"]}
            )
        return True

    # --- purge ------------------------------------------------------------------------
    @api.model
    def _cron_purge(self):
        """Delete requests older than the kept days, then the oldest beyond the kept
        number of rows; in batches, committed one by one (safe to re-run)."""
        # sudo: the cron's own settings, readable by administrators only.
        params = self.env["ir.config_parameter"].sudo()
        days = int(params.get_param("dealer_pbx.request_log_days", DEFAULT_KEEP_DAYS))
        rows = int(params.get_param("dealer_pbx.request_log_max_rows", DEFAULT_KEEP_ROWS))
        limit = fields.Datetime.now() - timedelta(days=max(days, 0))
        total = self._purge(SQL("date < %s", limit))
        self.env.cr.execute(
            SQL("SELECT id FROM dealer_pbx_request ORDER BY id DESC OFFSET %s LIMIT 1", rows)
        )
        row = self.env.cr.fetchone()
        if row:
            total += self._purge(SQL("id <= %s", row[0]))
        return total

    def _purge(self, condition):
        total = 0
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    DELETE FROM dealer_pbx_request
                     WHERE id IN (SELECT id FROM dealer_pbx_request WHERE %s
                                  ORDER BY id LIMIT %s)
                    """,
                    condition,
                    PURGE_BATCH,
                )
            )
            total += self.env.cr.rowcount
            if self.env.cr.rowcount < PURGE_BATCH:
                break
            if not odoo.modules.module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self.invalidate_model()
        return total
