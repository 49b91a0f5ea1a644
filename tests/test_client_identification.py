"""A client is identified the same way from every entry point (seed 004)."""

import pytest
from conftest import RpcError


def _names(session, ids):
    return [r["name"] for r in session.call("res.partner", "read", ids, ["name"])]


def test_operator_finds_shared_number_individual_first(login):
    operator = login("operator")
    ids = operator.call("res.partner", "find_by_phone", "+7 (904) 467-37-15")
    assert _names(operator, ids) == ["Иванов Василий Петрович", "ООО «Автобан-Ямал»"]


def test_sip_caller_id_finds_the_client(login):
    operator = login("operator")
    ids = operator.call("res.partner", "find_by_phone", "sip:89164040404@pbx.avtosever.local")
    assert _names(operator, ids) == ["Тарасова Алина Маратовна"]


def test_junk_number_gives_nothing(login):
    assert login("operator").call("res.partner", "find_by_phone", "доб. 305") == []


@pytest.mark.parametrize(
    ("typed", "client"),
    [
        ("h433ap12", "Иванов Василий Петрович"),  # plate in Latin look-alikes
        ("Н433АР", "Иванов Василий Петрович"),  # Cyrillic fragment
        ("R058037", "Зубков Алексей Викторович"),  # VIN tail
        ("8 916 777-88-99", "Павлова Светлана Игоревна"),  # phone in another format
        ("vinogradova", "Виноградова Татьяна Сергеевна"),  # e-mail fragment
    ],
)
def test_consultant_client_search(login, typed, client):
    consultant = login("consultant")
    found = consultant.call(
        "res.partner", "search_read", [("client_search", "ilike", typed)], fields=["name"]
    )
    assert client in [r["name"] for r in found]


def test_many2one_autocomplete_finds_client_by_plate(login):
    names = login("advisor").call("res.partner", "name_search", "y300yy790")
    assert any("Орлов" in name for _id, name in names)


def test_operator_cannot_configure_directions(login):
    operator = login("operator")
    service = operator.call("dealer.direction", "search", [("code", "=", "service")])
    with pytest.raises(RpcError) as caught:
        operator.call("dealer.direction", "write", service, {"name": "Сервис!"})
    assert caught.value.name == "odoo.exceptions.AccessError"


def test_duplicate_plate_is_a_readable_error(login):
    advisor = login("advisor")
    with pytest.raises(RpcError) as caught:
        advisor.call("dealer.vehicle", "create", {"license_plate": "b777bb777"})
    assert caught.value.name == "odoo.exceptions.ValidationError"
    assert "Богданов Руслан Ильдарович" in str(caught.value)
