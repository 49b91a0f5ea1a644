import json
import logging

from markupsafe import Markup, escape

from odoo import http
from odoo.http import request

from ..gateways import GatewayAuthError, GatewayError

_logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _json_error(status, message):
    return request.make_response(
        json.dumps({"error": message}),
        headers=[("Content-Type", "application/json")],
        status=status,
    )


class DealerNotifyController(http.Controller):
    """Gateways calling back (delivery reports, incoming SMS) and clients following
    an unsubscribe link. Thin: the models do the work."""

    def _callback(self, token):
        provider = request.env["dealer.sms.provider"]._by_token(token)
        if not provider:
            return None, _json_error(404, "unknown gateway token")
        body = request.httprequest.get_data(cache=True)
        if len(body) > MAX_BODY:
            return None, _json_error(413, "request too large")
        params = request.httprequest.values.to_dict(flat=False)
        params = {
            key: values if len(values) > 1 or key.endswith("[]") else values[0]
            for key, values in params.items()
        }
        gateway = provider._gateway()
        headers = dict(request.httprequest.headers)
        try:
            # One callback may carry delivery reports and incoming messages (SMSC
            # has a single handler address): both are read from either URL.
            reports = gateway.parse_report(params, body, headers)
            incoming = gateway.parse_incoming(params, body, headers)
        except GatewayAuthError:
            return None, _json_error(403, "bad signature")
        except GatewayError as error:
            # The gateway could not be asked to confirm the report: it calls again.
            return None, _json_error(503, f"cannot check the report now: {error}")
        except (ValueError, KeyError, TypeError) as error:
            return None, _json_error(400, f"malformed callback: {error}")
        return (provider, gateway, reports, incoming), None

    def _ack(self, gateway):
        body, content_type = gateway.report_ack()
        return request.make_response(body, headers=[("Content-Type", content_type)])

    @http.route(
        [
            "/dealer_notify/sms/<string:token>/report",
            "/dealer_notify/sms/<string:token>/incoming",
        ],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def sms_callback(self, token, **_kwargs):
        parsed, error = self._callback(token)
        if error:
            return error
        provider, gateway, reports, incoming = parsed
        request.env["dealer.notification"]._apply_reports(provider, reports)
        provider._handle_incoming(incoming)
        body, content_type = gateway.report_ack()
        return request.make_response(body, headers=[("Content-Type", content_type)])

    @http.route(
        "/dealer_notify/unsubscribe/<int:line_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def unsubscribe(self, line_id, token, **_kwargs):
        # sudo: the client following the link is not a user; the signed token proves
        # the link is ours and names the message.
        line = request.env["dealer.notification"].sudo().browse(line_id).exists()
        if not line or not line._check_unsubscribe_token(token):
            return _json_error(404, "unknown or expired link")
        env = request.env
        if request.httprequest.method == "POST":
            line._unsubscribe()
            text = env._("You will receive no more e-mails from us.")
            return request.make_response(Markup("<html><body><p>%s</p></body></html>") % text)
        question = escape(env._("Stop receiving our e-mails at %s?", line.address))
        button = escape(env._("Unsubscribe"))
        page = Markup(
            '<html><body><form method="post"><p>%s</p><button type="submit">%s</button>'
            "</form></body></html>"
        ) % (question, button)
        return request.make_response(page)
