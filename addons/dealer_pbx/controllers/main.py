import functools
import json
import logging
from datetime import timezone
from urllib.parse import urlencode

import odoo
from odoo import SUPERUSER_ID, api, fields, http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..adapters import PbxError
from ..models.dealer_pbx import token_like
from ..models.dealer_pbx_call import begin_read_committed

_logger = logging.getLogger(__name__)

# A body larger than this is refused (413) before anything else is done with it.
BODY_MAX = 1024 * 1024
# What a Mango form field holding the API key is replaced with in the request log.
MASK = "***"


class _Refused(PbxError):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _json(status, payload):
    return request.make_response(
        json.dumps(payload),
        headers=[("Content-Type", "application/json; charset=utf-8")],
        status=status,
    )


def _assemble_after_answer(dbname):
    """Assemble the calls left pending, once the PBX has its answer: werkzeug calls it
    when the response is closed, after its body is sent, in the worker that answered."""
    try:
        with odoo.modules.registry.Registry(dbname).cursor() as cr:
            begin_read_committed(cr)
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["dealer.pbx.call"]._dealer_assemble_pending()
    except Exception:  # the answer is sent; the cron assembles what is left
        _logger.exception("PBX calls could not be assembled after the answer")


class PbxWebhookController(http.Controller):
    """The one endpoint every PBX posts its call events to: thin, the work is the
    models'. ``auth='none'``: a PBX has no Odoo session or user; it is identified by
    the secret token of the URL and proven by its provider's signature, checked
    before anything is stored. ``save_session=False``: no session is created for it."""

    @http.route(
        [
            "/dealer_pbx/webhook/<string:token>",
            "/dealer_pbx/webhook/<string:token>/<path:suffix>",
        ],
        type="http",
        auth="none",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        readonly=False,
        # Odoo's own limit stays above ours, so that we answer 413 with a JSON body.
        max_content_length=4 * BODY_MAX,
    )
    def webhook(self, token, suffix="", **params):
        # Before anything is read: the transaction runs in READ COMMITTED.
        begin_read_committed(request.env.cr)
        # sudo: no user is logged in (auth none); everything below is scoped to the
        # PBX the token names, and what it stores is checked against its signature.
        env = request.env(user=SUPERUSER_ID, su=True)
        httprequest = request.httprequest
        received = fields.Datetime.now()
        body, form = self._read_body(httprequest)
        # The PBX's settings, cached across requests (cleared whenever they change).
        config = env["dealer.pbx"]._dealer_webhook_config(token) if token_like(token) else None
        pbx = env["dealer.pbx"].browse(config[0] if config else ())
        log = {
            "date": received,
            "pbx_id": pbx.id or False,
            "token_found": bool(pbx),
            "method": httprequest.method,
            "path": "/dealer_pbx/webhook/" + MASK + (f"/{suffix}" if suffix else ""),
            "suffix": (suffix or "")[:200],
            "remote_addr": (httprequest.remote_addr or "")[:64],
            "raw_headers": httprequest.headers,
            "raw_body": self._loggable_body(body, form),
        }
        status, payload, result = self._handle(
            env, pbx, config, body, form, suffix=suffix, received=received, log=log
        )
        if not (result and result["logged"]):  # else logged with its events
            log["status"] = status
            if status >= 400 and isinstance(payload, dict):
                log["error"] = str(payload.get("error", ""))[:500]
            env["dealer.pbx.request"]._log(log)
        if isinstance(payload, str):  # Zadarma's echo
            return request.make_response(
                payload, headers=[("Content-Type", "text/plain; charset=utf-8")], status=status
            )
        response = _json(status, payload)
        if result and result["stored"] and not result["assembled"]:
            response.call_on_close(functools.partial(_assemble_after_answer, env.cr.dbname))
        return response

    # --- steps --------------------------------------------------------------------------
    @staticmethod
    def _read_body(httprequest):
        """The raw body (bounded) and the decoded form. Odoo has already parsed a form
        POST (and consumed its body): the form is then the body."""
        form = {key: httprequest.form.get(key) for key in httprequest.form}
        if httprequest.content_length and httprequest.content_length > BODY_MAX:
            return None, form
        body = httprequest.get_data(cache=True)
        if len(body) > BODY_MAX:
            return None, form
        if not body and form:
            body = urlencode(form).encode()
        return body, form

    @staticmethod
    def _loggable_body(body, form):
        if body is None:
            return b""
        if form.get("vpbx_api_key"):
            return urlencode({**form, "vpbx_api_key": MASK}).encode()
        return body

    def _handle(self, env, pbx, config, body, form, *, suffix, received, log):
        """(status, payload, ingest result) of the request."""
        try:
            return self._process(
                env, pbx, config, body, form, suffix=suffix, received=received, log=log
            )
        except PbxError as error:
            return error.status, {"error": str(error)}, None

    def _process(self, env, pbx, config, body, form, *, suffix, received, log):
        httprequest = request.httprequest
        if body is None:
            raise _Refused(413, f"the body exceeds {BODY_MAX} bytes")
        if not pbx:
            raise _Refused(404, "unknown webhook")
        adapter = pbx._dealer_webhook_adapter(config)
        if httprequest.method == "GET":
            echo = adapter.echo(httprequest.args)
            if echo is None:
                raise _Refused(405, "POST the PBX events to this address")
            return 200, echo, None
        if not adapter.accepts_suffix(suffix):
            raise _Refused(404, f"unknown path: {suffix}")
        adapter.verify(httprequest.headers, body, form, suffix)
        moment = received.replace(tzinfo=timezone.utc)
        events = adapter.parse(httprequest.headers, body, form, suffix, moment)
        result = self._ingest(env, pbx, events, received, log) if events else None
        stored = result or {"stored": 0, "duplicates": 0, "calls": env["dealer.pbx.call"]}
        payload = {
            "ok": True,
            "stored": stored["stored"],
            "duplicates": stored["duplicates"],
            "calls": stored["calls"].ids,
        }
        return 200, payload, result

    def _ingest(self, env, pbx, events, received, log):
        """Store the events, and ``log`` the request with them; their calls are
        assembled once the PBX has its answer, so that it is not kept waiting for the
        popup, the client lookup or a callback task. Under tests the request's cursor
        is the test's own, which the answer's close cannot use at the same time: the
        calls are assembled in the request."""
        assemble = bool(odoo.modules.module.current_test)
        try:
            result = pbx._dealer_ingest(events, received, assemble=assemble, log=log)
            return {**result, "assembled": assemble}
        except PG_CONCURRENCY_ERRORS_TO_RETRY:
            # Two requests locking calls in another order: Odoo rolls the request
            # back and runs it again, as for any concurrent update.
            raise
        except Exception as error:
            # Nothing else is written before: the request is rolled back (rather than
            # run under a savepoint, two more statements per request) and logged.
            env.cr.rollback()
            if isinstance(error, UserError):
                raise _Refused(400, str(error)) from error
            _logger.exception("PBX %s: events could not be stored", pbx.id)
            raise _Refused(500, "the events could not be stored") from error


class PbxRecordingController(http.Controller):
    @http.route("/dealer_pbx/recording/<int:call_id>", type="http", auth="user", methods=["GET"])
    def recording(self, call_id):
        """The recording of a call whose provider sends only its id: fetched through
        the provider's API, for a user allowed to read the call."""
        call = request.env["dealer.pbx.call"].browse(call_id).exists()
        if not call:
            return request.not_found()
        call.check_access("read")
        try:
            link = call.pbx_id._dealer_recording_link(call)
        except UserError as error:
            return _json(502, {"error": str(error)})
        return request.redirect(link, local=False)
