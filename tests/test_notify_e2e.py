"""A booking made over HTTP reaches the client by SMS through a gateway speaking the
vendor's protocol, and the vendor's signed delivery report marks it delivered: a real
Odoo server, the fake SMS.ru on loopback, the demo users' own rights."""

import sys
from datetime import datetime, timedelta

import pytest
import requests
from conftest import ROOT
from test_traffic_e2e import _ref

sys.path.insert(0, str(ROOT / "addons" / "dealer_notify" / "tests"))
from fake_gateway import FakeGateway

CLIENT_NUMBER = "+79084944434"  # the demo client Зубков, SMS allowed


@pytest.fixture(scope="module")
def admin(login):
    return login("admin")


@pytest.fixture(scope="module")
def gateway(admin):
    """The fake SMS.ru, the only active gateway while the module's tests run; the
    booking rule sends at any hour."""
    with FakeGateway("smsru") as vendor:
        active = admin.call("dealer.sms.provider", "search", [("active", "=", True)])
        admin.call("dealer.sms.provider", "write", active, {"active": False})
        provider_id = admin.call(
            "dealer.sms.provider",
            "create",
            {
                "name": "E2E SMS.ru",
                "provider": "smsru",
                "api_url": vendor.url,
                "api_key": vendor.api_key,
            },
        )
        rule_id = _ref(admin, "dealer_notify.rule_appointment_booked")
        before = admin.call(
            "dealer.notification.rule", "read", [rule_id], ["quiet_from", "quiet_to"]
        )[0]
        admin.call(
            "dealer.notification.rule", "write", [rule_id], {"quiet_from": 0.0, "quiet_to": 0.0}
        )
        try:
            yield vendor, provider_id
        finally:
            admin.call(
                "dealer.notification.rule",
                "write",
                [rule_id],
                {k: before[k] for k in ("quiet_from", "quiet_to")},
            )
            admin.call("dealer.sms.provider", "write", [provider_id], {"active": False})
            admin.call("dealer.sms.provider", "write", active, {"active": True})


def _run_cron(admin, xmlid):
    admin.call("ir.cron", "method_direct_trigger", [_ref(admin, xmlid)])


def test_booking_reaches_the_client_and_the_report_delivers_it(login, admin, gateway, odoo_url):
    vendor, provider_id = gateway
    consultant = login("consultant")
    supervisor = login("supervisor")
    client_id = _ref(admin, "dealer_base.partner_zubkov")
    visit = (datetime.utcnow() + timedelta(days=2)).replace(microsecond=0)
    task_id = consultant.call(
        "project.task",
        "create",
        {
            "name": "E2E предварительная запись",
            "project_id": _ref(admin, "dealer_traffic.project_service"),
            "partner_id": client_id,
            "dealer_kind": "appointment",
            "dealer_direction_id": _ref(admin, "dealer_base.direction_service"),
            "dealer_visit_at": visit.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    _run_cron(admin, "dealer_notify.ir_cron_notification_plan")
    _run_cron(admin, "sms.ir_cron_sms_scheduler_action")
    sent = [m for m in vendor.accepted if m["phone"].lstrip("+") == CLIENT_NUMBER.lstrip("+")]
    assert len(sent) == 1
    assert "Зубков" in sent[0]["text"]
    line = supervisor.call(
        "dealer.notification",
        "search_read",
        [("res_model", "=", "project.task"), ("res_id", "=", task_id)],
        fields=["state", "address", "provider_message_id", "attempts"],
    )
    assert len(line) == 1
    assert (line[0]["state"], line[0]["address"], line[0]["attempts"]) == ("sent", CLIENT_NUMBER, 1)
    assert line[0]["provider_message_id"] == sent[0]["provider_id"]

    report_url = admin.call("dealer.sms.provider", "read", [provider_id], ["report_url"])[0][
        "report_url"
    ]
    path = report_url.split("/dealer_notify/", 1)[1]
    ((fields, headers),) = vendor.deliveries("delivered")
    forged = dict(fields, hash="0" * 64)
    answer = requests.post(
        f"{odoo_url}/dealer_notify/{path}", data=forged, headers=headers, timeout=30
    )
    assert answer.status_code == 403
    assert answer.json() == {"error": "bad signature"}
    answer = requests.post(
        f"{odoo_url}/dealer_notify/{path}", data=fields, headers=headers, timeout=30
    )
    assert (answer.status_code, answer.text) == (200, "100")
    state = supervisor.call(
        "dealer.notification", "read", [line[0]["id"]], ["state", "delivered_at"]
    )[0]
    assert state["state"] == "delivered" and state["delivered_at"]
    # A second booking run plans nothing twice.
    _run_cron(admin, "dealer_notify.ir_cron_notification_plan")
    _run_cron(admin, "sms.ir_cron_sms_scheduler_action")
    assert (
        len([m for m in vendor.accepted if m["phone"].lstrip("+") == CLIENT_NUMBER.lstrip("+")])
        == 1
    )
