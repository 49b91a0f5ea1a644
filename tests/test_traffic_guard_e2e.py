"""The traffic workflow as an insider would try to bend it over JSON-RPC, with the
demo users' own rights: forged states, a take raced by two consultants, a hand-over
by a consultant, and a refused registration."""

import threading

import pytest
from conftest import RpcError
from test_traffic_e2e import _ref


@pytest.fixture(scope="module")
def admin(login):
    return login("admin")


@pytest.fixture(scope="module")
def refs(admin):
    return {
        "call": _ref(admin, "dealer_traffic.channel_call"),
        "visit": _ref(admin, "dealer_traffic.channel_visit"),
        "service": _ref(admin, "dealer_base.direction_service"),
        "repair": _ref(admin, "dealer_traffic.goal_service_repair"),
    }


def _contact(operator, refs, **values):
    vals = {
        "channel_id": refs["call"],
        "direction_id": refs["service"],
        "goal_id": refs["repair"],
        "contact_name": "Проверочный Клиент",
        "contact_phone": "+7 916 100 20 30",
    }
    vals.update(values)
    return operator.call("dealer.traffic", "create", vals)


def test_a_consultant_cannot_forge_the_workflow(login, refs):
    operator, consultant = login("operator"), login("consultant")
    traffic_id = _contact(operator, refs, user_id=consultant.uid)
    operator.call("dealer.traffic", "action_register", [traffic_id])
    for vals in (
        {"state": "processed"},
        {"taken_date": "2099-01-01 10:00:00"},
        {"company_id": _ref(login("admin"), "dealer_base.company_branch_khimki")},
    ):
        with pytest.raises(RpcError) as caught:
            consultant.call("dealer.traffic", "write", [traffic_id], vals)
        assert caught.value.name in ("odoo.exceptions.UserError", "odoo.exceptions.AccessError")
        assert "psycopg2" not in str(caught.value) and "Traceback" not in str(caught.value)
    [row] = consultant.call("dealer.traffic", "read", [traffic_id], ["state", "taken_date"])
    assert row["state"] == "assigned" and not row["taken_date"]


def test_two_consultants_take_the_same_walk_in(login, refs):
    operator = login("operator")
    consultant, advisor = login("consultant"), login("advisor")
    traffic_id = _contact(operator, refs, channel_id=refs["visit"])
    operator.call("dealer.traffic", "action_queue", [traffic_id])
    barrier = threading.Barrier(2)
    outcomes = {}

    def take(name, session):
        barrier.wait()
        try:
            session.call("dealer.traffic", "action_take", [traffic_id])
            outcomes[name] = "taken"
        except RpcError as error:
            outcomes[name] = error

    threads = [
        threading.Thread(target=take, args=(name, session))
        for name, session in (("consultant", consultant), ("advisor", advisor))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [name for name, outcome in outcomes.items() if outcome == "taken"]
    assert len(winners) == 1, outcomes
    [loser] = [outcome for outcome in outcomes.values() if outcome != "taken"]
    assert loser.name == "odoo.exceptions.UserError"
    winner_name = {"consultant": "Дмитрий Кузнецов", "advisor": "Сергей Волков"}[winners[0]]
    assert winner_name in str(loser)
    assert "уже взят сотрудником" in str(loser)


def test_a_consultant_hands_a_contact_over(login, refs):
    operator, consultant, advisor = login("operator"), login("consultant"), login("advisor")
    traffic_id = _contact(operator, refs, user_id=consultant.uid)
    operator.call("dealer.traffic", "action_register", [traffic_id])
    consultant.call("dealer.traffic", "action_take", [traffic_id])
    wizard_id = consultant.call(
        "dealer.traffic.reassign.wizard",
        "create",
        {"traffic_ids": [(6, 0, [traffic_id])], "user_id": advisor.uid, "comment": "Отпуск"},
    )
    consultant.call("dealer.traffic.reassign.wizard", "action_confirm", [wizard_id])
    [row] = advisor.call("dealer.traffic", "read", [traffic_id], ["user_id", "state"])
    assert row["user_id"][0] == advisor.uid and row["state"] == "assigned"
    assert consultant.call("dealer.traffic", "search", [("id", "=", traffic_id)]) == []


def test_a_refused_registration_leaves_no_draft(login, refs):
    operator = login("operator")
    name = "Черновиков Отказ Регистрович"
    vals = {
        "channel_id": refs["call"],
        "direction_id": refs["service"],
        "goal_id": refs["repair"],
        "contact_name": name,
    }
    with pytest.raises(RpcError) as caught:
        operator.call(
            "dealer.traffic", "action_create_from_screen", vals, "action_register_from_screen"
        )
    assert caught.value.name == "odoo.exceptions.UserError"
    assert operator.call("dealer.traffic", "search", [("contact_name", "=", name)]) == []


def test_a_portal_user_cannot_be_made_responsible(login, refs, admin):
    operator = login("operator")
    portal_id = admin.call(
        "res.users",
        "search",
        [("share", "=", True), ("active", "=", True)],
        limit=1,
    ) or [_ref(admin, "base.public_user")]
    with pytest.raises(RpcError) as caught:
        _contact(operator, refs, user_id=portal_id[0])
    assert caught.value.name == "odoo.exceptions.ValidationError"


def test_the_supervisor_acts_for_the_branch(login, refs):
    operator, consultant, advisor = login("operator"), login("consultant"), login("advisor")
    supervisor = login("supervisor")
    [client_id, *_] = operator.call("res.partner", "find_by_phone", "+7 916 777 88 99")
    traffic_id = _contact(operator, refs, user_id=consultant.uid, partner_id=client_id)
    operator.call("dealer.traffic", "action_register", [traffic_id])
    with pytest.raises(RpcError) as caught:
        advisor.call("dealer.traffic", "action_reassign", [traffic_id], advisor.uid)
    assert caught.value.name == "odoo.exceptions.AccessError"
    supervisor.call("dealer.traffic", "action_reassign", [traffic_id], advisor.uid, "Замена")
    advisor.call("dealer.traffic", "action_take", [traffic_id])
    with pytest.raises(RpcError) as caught:
        operator.call(
            "dealer.traffic",
            "action_ignore",
            [traffic_id],
            _ref(login("admin"), "dealer_traffic.ignore_reason_wrong_number"),
        )
    assert caught.value.name == "odoo.exceptions.AccessError"
    supervisor.call("dealer.traffic", "action_process", [traffic_id], "visit")
    [row] = supervisor.call("dealer.traffic", "read", [traffic_id], ["state", "user_id"])
    assert row["state"] == "processed" and row["user_id"][0] == advisor.uid
