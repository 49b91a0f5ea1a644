import json
import logging
import os
import threading

import psycopg2

import odoo
from odoo import api, fields, models
from odoo.addons.bus.models.bus import ODOO_NOTIFY_FUNCTION, get_notify_payloads
from odoo.exceptions import AccessError
from odoo.tools import SQL, OrderedSet

_logger = logging.getLogger(__name__)

# The bus notification type the caller popup listens to.
BUS_CALL = "dealer_pbx/call"
STATE_PHASE = {"ringing": "ringing", "talking": "answered", "done": "ended", "missed": "ended"}
POPUP_PARTNERS_MAX = 5


# This process's connection to the ``postgres`` database for waking the websockets up,
# kept open: Odoo's bus opens and closes one for every transaction that sends a
# notification, which costs a PBX request a new PostgreSQL backend.
_wakeup = {"pid": None, "connection": None}
_wakeup_lock = threading.Lock()


def _wakeup_connection():
    connection = _wakeup["connection"]
    if connection is not None and (_wakeup["pid"] != os.getpid() or connection.closed):
        # A forked worker must not use (nor close) its parent's socket.
        connection = None
    if connection is None:
        _dbname, info = odoo.sql_db.connection_info_for("postgres")
        connection = psycopg2.connect(**info)
        connection.autocommit = True
        _wakeup.update(pid=os.getpid(), connection=connection)
    return connection


def _notify_imbus(channels):
    """NOTIFY imbus for ``channels``, as the bus's own post-commit hook does, on the
    kept connection; a broken connection is opened again once."""
    payloads = get_notify_payloads(list(channels))
    with _wakeup_lock:
        for attempt in (1, 2):
            try:
                with _wakeup_connection().cursor() as cr:
                    for payload in payloads:
                        query = SQL(
                            "SELECT %s('imbus', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), payload
                        )
                        cr.execute(query.code, query.params)
                return
            except psycopg2.Error:
                _wakeup["connection"] = None
                if attempt == 2:
                    # The notifications are committed: the websockets find them at
                    # their next poll.
                    _logger.exception("PBX popup: the websockets could not be woken up")


def _keep_bus_wakeup(env):
    """Have the bus notifications of ``env``'s transaction (the popups, written by the
    assembly's statement, whose channels it adds to ``bus.bus.channels``, and any sent
    with ``_bus_send`` meanwhile) woken up on the kept connection: hooks doing what the
    bus's own do are put in place first, under the keys it looks for
    (``bus.bus._ensure_hooks``), unless it has already put its own."""
    cr = env.cr
    if "bus.bus.values" in cr.precommit.data or "bus.bus.channels" in cr.postcommit.data:
        return
    cr.precommit.data["bus.bus.values"] = []
    cr.postcommit.data["bus.bus.channels"] = OrderedSet()

    @cr.precommit.add
    def create_bus():
        # sudo: as in the bus's own hook, the notifications are the system's.
        env["bus.bus"].sudo().create(cr.precommit.data.pop("bus.bus.values"))

    @cr.postcommit.add
    def notify():
        _notify_imbus(cr.postcommit.data.pop("bus.bus.channels"))


class DealerPbxCall(models.Model):
    _inherit = "dealer.pbx.call"  # pylint: disable=consider-merging-classes-inherited

    def _dealer_notice(self, current, events):
        """Whom to tell of the call, and what (``_dealer_notices_sql``), or None: on
        ringing, the users of the extensions rung (incoming calls); on answer and end,
        the users already told and the one who answered. Once per call, user and phase:
        the users told are kept on the call (``popup_sent``, under the row lock the
        assembly holds), and the notice's ``sent`` is what it becomes. What is sent is
        what the call is now (``_dealer_popup_update``), the same for every user: the
        web client asks for the client cards (``dealer_popup_payload``) when a call's
        popup first shows, in the employee's own request, with their rights, so that
        the PBX's calls are not assembled waiting for them. ``current``: the call's
        assembled columns and ``events`` its events, as ``_dealer_assemble`` has them."""
        self.ensure_one()
        if current["direction"] != "incoming":
            return None
        if not any(e.direction or (e.kind == "ringing" and not e.leg) for e in events):
            # Incoming only by default: no event has said it yet. Events posted at once
            # come in any order, and the call may turn out outgoing when its ringing
            # comes; the popup waits for it.
            return None
        phase = STATE_PHASE[current["state"]]
        sent = current["popup_sent"] or {}
        users = set()
        if phase == "ringing":
            numbers = {e.extension for e in events if e.kind == "ringing" and e.extension}
            if numbers:
                extension_users = self._dealer_extension_users(current["pbx_id"])
                users = {extension_users.get(n) for n in numbers} - {None, False}
        else:
            users = {user for told in sent.values() for user in told}
            if phase == "answered" and current["user_id"]:
                users.add(current["user_id"])
        new = sorted(users - set(sent.get(phase, ())))
        if not new:
            return None
        return {
            "call_id": self.id,
            "users": new,
            "call_user": current["user_id"] or None,
            "payload": self._dealer_popup_update(phase, current),
            "sent": {**sent, phase: sorted({*sent.get(phase, ()), *new})},
        }

    @api.model
    def _dealer_notices_sql(self, notices):
        """The statement writing a bus notification for each new user of each notice
        (active internal users only), for all the calls; it returns their channels
        (``_dealer_notices_sent``). The name of the call's employee is filled in from
        the database."""
        self.env["res.users"].flush_model(["partner_id", "active", "share"])
        self.env["res.partner"].flush_model(["name"])
        now = SQL("now() AT TIME ZONE 'UTC'")
        return SQL(
            """
                INSERT INTO bus_bus (channel, message, create_uid, create_date,
                    write_uid, write_date)
                SELECT '[' || %(db)s || ',"res.partner",' || u.partner_id || ']',
                       jsonb_build_object(
                           'type', %(type)s,
                           'payload', CASE WHEN i.call_user IS NULL THEN i.payload
                               ELSE jsonb_set(i.payload, '{user,name}', COALESCE(
                                   (SELECT to_jsonb(p.name) FROM res_users cu
                                      JOIN res_partner p ON p.id = cu.partner_id
                                     WHERE cu.id = i.call_user), 'false'::jsonb))
                           END)::text,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM jsonb_to_recordset(%(input)s::jsonb)
                       AS i(call_id int, users int[], call_user int, payload jsonb)
                 CROSS JOIN LATERAL unnest(i.users) AS t(user_id)
                  JOIN res_users u ON u.id = t.user_id
                 WHERE u.active AND NOT u.share
                 ORDER BY i.call_id, t.user_id
                RETURNING channel
                """,
            input=json.dumps(notices),
            uid=self.env.uid,
            now=now,
            db=json.dumps(self.env.cr.dbname),
            type=BUS_CALL,
        )

    @api.model
    def _dealer_notices_sent(self, rows):
        """Wake the websockets up for the notifications written (``rows``: their
        channels), once committed."""
        channels = [tuple(json.loads(channel)) for (channel,) in rows]
        if channels:
            _keep_bus_wakeup(self.env)
            self.env.cr.postcommit.data["bus.bus.channels"].update(channels)

    def _dealer_popup_update(self, phase, current):
        """What the bus carries for every phase of a call: what changes (state,
        times, the employee, the traffic record, the recording), keyed by
        ``call_id``; the web client merges it into the popup it shows, and asks for
        the whole one (``dealer_popup_payload``) when it has none. The employee's name
        is filled in when the notification is written (``_dealer_notices_sql``)."""
        user = False
        if current["user_id"]:
            user = {"id": current["user_id"], "name": False}
        return {
            "call_id": self.id,
            "phase": phase,
            "state": current["state"],
            "direction": current["direction"],
            "number": (
                current["caller_number"]
                if current["direction"] != "outgoing"
                else current["called_number"]
            )
            or "",
            "extension": current["extension"] or "",
            "user": user,
            "date_start": fields.Datetime.to_string(current["date_start"]) or False,
            "date_answer": fields.Datetime.to_string(current["date_answer"]) or False,
            "date_end": fields.Datetime.to_string(current["date_end"]) or False,
            "wait_seconds": current["wait_seconds"] or 0,
            "talk_seconds": current["talk_seconds"] or 0,
            "partner_id": current["partner_id"] or False,
            "traffic_id": current["traffic_id"] or False,
            "recording_url": current["recording_url"] or False,
        }

    def dealer_popup_payload(self):
        """The whole popup of this call, client cards included, for the current user
        (the web client asks for it when a call's first message comes to a tab)."""
        self.ensure_one()
        self.check_access("read")
        # sudo: the user may read the call (checked above); the clients' cards are
        # still built with the user's rights by _dealer_popup_payload.
        call = self.sudo()
        return call._dealer_popup_payload(self.env.user, STATE_PHASE[call.state])

    def _dealer_popup_payload(self, user, phase):
        """What the caller popup shows ``user`` (documented in the readme). The
        clients come with ``user``'s rights, language and time zone; modules add to
        their cards through ``res.partner._dealer_client_cards`` (``crm``: the CRM
        code of dealer_segmentation) and to the payload by extending this method."""
        self.ensure_one()
        number = self.caller_number if self.direction != "outgoing" else self.called_number
        partners_env = (
            self.env["res.partner"].with_user(user).with_context(lang=user.lang, tz=user.tz)
        )
        try:
            partners = partners_env.find_by_phone(number or "")._dealer_only_clients()
            cards = partners[:POPUP_PARTNERS_MAX]._dealer_client_cards()
        except AccessError:
            _logger.info("PBX popup: %s may not read the caller's cards", user.login)
            cards = []

        def named(record):
            # Names in the recipient's language (directions and sources are
            # translated), not the webhook's.
            if not record:
                return False
            return {"id": record.id, "name": record.with_context(lang=user.lang).display_name}

        return {
            "call_id": self.id,
            "phase": phase,
            "state": self.state,
            "direction": self.direction,
            "number": number or "",
            "line": self.line or "",
            "line_name": self.line_id.name or "",
            "pbx": named(self.pbx_id),
            "company": named(self.company_id),
            "extension": self.extension or "",
            "user": named(self.user_id),
            "dealer_direction": named(self.direction_id),
            "source": named(self.source_id),
            "date_start": fields.Datetime.to_string(self.date_start) or False,
            "date_answer": fields.Datetime.to_string(self.date_answer) or False,
            "date_end": fields.Datetime.to_string(self.date_end) or False,
            "wait_seconds": self.wait_seconds,
            "talk_seconds": self.talk_seconds,
            "partner_id": self.partner_id.id or False,
            "partners": cards,
            "traffic_id": self.traffic_id.id or False,
            "recording_url": self.recording_url or False,
        }
