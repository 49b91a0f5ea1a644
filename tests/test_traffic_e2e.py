"""A call goes from the operator to a consultant and into a task, over HTTP, with the
demo users' own rights."""

import pytest
from conftest import RpcError


@pytest.fixture(scope="module")
def admin(login):
    return login("admin")


def _ref(session, xmlid):
    """Database id of ``xmlid``, looked up with ``session`` (staff cannot read xmlids)."""
    module, name = xmlid.split(".")
    rows = session.call(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        fields=["res_id"],
    )
    return rows[0]["res_id"]


@pytest.fixture(scope="module")
def registered(login, admin):
    operator = login("operator")
    consultant = login("consultant")
    client_ids = operator.call("res.partner", "find_by_phone", "+7 916 777 88 99")
    traffic_id = operator.call(
        "dealer.traffic",
        "create",
        {
            "channel_id": _ref(admin, "dealer_traffic.channel_call"),
            "direction_id": _ref(admin, "dealer_base.direction_sales"),
            "goal_id": _ref(admin, "dealer_traffic.goal_sales_credit"),
            "partner_id": client_ids[0],
            "user_id": consultant.uid,
            "note": "Кредит на Haval Jolion",
        },
    )
    operator.call("dealer.traffic", "action_register", [traffic_id])
    return operator, consultant, traffic_id, client_ids[0]


def test_consultant_receives_and_processes_the_call(registered):
    _operator, consultant, traffic_id, client_id = registered
    mine = consultant.call(
        "dealer.traffic", "search_read", [("state", "=", "assigned")], fields=["id", "partner_id"]
    )
    assert traffic_id in [row["id"] for row in mine]
    consultant.call("dealer.traffic", "action_take", [traffic_id])
    consultant.call("dealer.traffic", "action_process", [traffic_id], kind="deal")
    [traffic] = consultant.call(
        "dealer.traffic", "read", [traffic_id], ["state", "task_ids", "is_repeat"]
    )
    assert traffic["state"] == "processed"
    [task] = consultant.call(
        "project.task", "read", traffic["task_ids"], ["partner_id", "dealer_kind", "project_id"]
    )
    assert task["partner_id"][0] == client_id
    assert task["dealer_kind"] == "deal"


def test_processing_twice_is_a_clear_error(registered):
    _operator, consultant, traffic_id, _client = registered
    with pytest.raises(RpcError) as caught:
        consultant.call("dealer.traffic", "action_take", [traffic_id])
    assert caught.value.name == "odoo.exceptions.UserError"


def test_other_consultants_and_operators_do_not_see_it(registered, login):
    _operator, _consultant, traffic_id, _client = registered
    advisor = login("advisor")
    assert advisor.call("dealer.traffic", "search", [("id", "=", traffic_id)]) == []
    with pytest.raises(RpcError) as caught:
        advisor.call("dealer.traffic", "read", [traffic_id], ["name"])
    assert caught.value.name == "odoo.exceptions.AccessError"
    supervisor = login("supervisor")
    assert supervisor.call("dealer.traffic", "search", [("id", "=", traffic_id)]) == [traffic_id]


def test_registration_candidates_for_the_operator(login, admin):
    operator = login("operator")
    goal = _ref(admin, "dealer_traffic.goal_service_repair")
    names = [c["name"] for c in operator.call("dealer.traffic", "get_responsible_candidates", goal)]
    assert "Сергей Волков" in names
    assert "Анна Петрова" not in names
