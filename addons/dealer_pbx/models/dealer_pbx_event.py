import json

from odoo import fields, models
from odoo.tools import SQL

from ..adapters import DISPOSITIONS, EVENT_KINDS

DIRECTIONS = [("incoming", "Incoming"), ("outgoing", "Outgoing"), ("internal", "Internal")]
# Raw vendor payload kept per event, enough to read it back.
RAW_MAX = 16_000
# The columns of ``DealerPbxEvent._row_sql``, in its order.
EVENT_COLUMNS = SQL(
    """pbx_id, call_key, kind, leg, request_id, direction, caller, called, line,
       extension, time, start_time, answer_time, disposition, talk_seconds,
       recording_url, recording_ref, raw, create_uid, create_date, write_uid, write_date"""
)


class DealerPbxEvent(models.Model):
    """One event of a call as the PBX sent it, in the addon's terms.

    Unique per (PBX, call key, kind, leg) in the database: a vendor's retry, a
    duplicate from a second sender, are no-ops. The call is recomputed from all of
    its stored events, so their arrival order does not matter."""

    _name = "dealer.pbx.event"
    _description = "PBX Call Event"
    _order = "time, id"

    pbx_id = fields.Many2one("dealer.pbx", string="PBX", required=True, ondelete="cascade")
    call_key = fields.Char(required=True, help="The vendor's id of the call.")
    kind = fields.Selection([(kind, kind.title()) for kind in EVENT_KINDS], required=True)
    leg = fields.Char(default="", help="The vendor's id of the leg; empty for the whole call.")
    call_id = fields.Many2one("dealer.pbx.call", ondelete="cascade", index="btree_not_null")
    request_id = fields.Many2one("dealer.pbx.request", ondelete="set null")
    direction = fields.Selection(DIRECTIONS)
    caller = fields.Char()
    called = fields.Char()
    line = fields.Char()
    extension = fields.Char()
    time = fields.Datetime(required=True)
    start_time = fields.Datetime()
    answer_time = fields.Datetime()
    disposition = fields.Selection(
        [(item, item.replace("_", " ").title()) for item in DISPOSITIONS]
    )
    talk_seconds = fields.Integer()
    recording_url = fields.Char()
    recording_ref = fields.Char(string="Recording Id")
    raw = fields.Text(string="Payload")

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE(pbx_id, call_key, kind, leg)",
            "This event of the call is already stored.",
        ),
        ("leg_not_null", "CHECK(leg IS NOT NULL)", "The leg of an event is never null."),
    ]

    def _row_sql(self, pbx, event, received, request_id=None):
        """The ``(…)`` row of ``event`` (a PbxEvent) to insert, columns ``EVENT_COLUMNS``."""

        def naive(moment):
            return moment.replace(tzinfo=None) if moment else None

        raw = json.dumps(event.raw, ensure_ascii=False, default=str)[:RAW_MAX]
        return SQL(
            """(%s, %s, %s, %s, %s::int, %s, %s, %s, %s, %s, %s::timestamp, %s::timestamp,
                %s::timestamp, %s, %s::int, %s, %s, %s, %s, %s::timestamp, %s, %s::timestamp)""",
            pbx.id,
            event.call_key,
            event.kind,
            event.leg or "",
            request_id,
            event.direction,
            event.caller,
            event.called,
            event.line,
            event.extension,
            naive(event.time) or received,
            naive(event.start_time),
            naive(event.answer_time),
            event.disposition,
            event.talk_seconds,
            event.recording_url,
            event.recording_id,
            raw,
            self.env.uid,
            received,
            self.env.uid,
            received,
        )
