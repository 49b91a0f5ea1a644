"""Random unicode against the VIN and plate normalizers, vehicle registration and the
vehicle and client search: a result or a clear error, never a crash."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.addons.dealer_vehicle.tools import normalize_plate, normalize_vin, vin_error
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

# Deterministic (the same examples on every run, no example database written into
# the working tree) and quick: the suite runs these at every install.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Any unicode (but lone surrogates, which hypothesis leaves out and the checks
# refuse), and text built from VIN and plate pieces: Latin and Cyrillic look-alikes,
# separators, control characters, LIKE wildcards.
PIECES = st.sampled_from(
    [
        *"ABCEHKMOPTXYIQZ0123456789",
        *"АВЕКМНОРСТУХЖЯё",
        *" -_/.%\\'\x00\t\n\x7fßﬀÖ٣",
        "XTA",
        "RUS",
    ]
)
TEXT = st.one_of(st.text(), st.lists(PIECES, max_size=30).map("".join))
ANY_VALUE = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
NO_SEPARATORS = re.compile(r"[^\W_]+")


@tagged("post_install", "-at_install")
class TestVehicleNormalizerProperties(TransactionCase):
    @PROPERTY_SETTINGS
    @given(raw=ANY_VALUE)
    def test_normalizers_give_text_or_false(self, raw):
        for normalize in (normalize_vin, normalize_plate):
            result = normalize(raw)
            self.assertTrue(result is False or NO_SEPARATORS.fullmatch(result), result)
        self.assertIn(
            vin_error(normalize_vin(raw) or ""), (None, "length", "alphabet", "check_digit")
        )
        self.assertIn(vin_error(raw), (None, "length", "alphabet", "check_digit"))


@tagged("post_install", "-at_install")
class TestVehicleSearchProperties(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        operator = new_test_user(
            cls.env, "veh_property_operator", groups="dealer_base.group_dealer_operator"
        )
        cls.Vehicle = cls.env["dealer.vehicle"].with_user(operator)
        cls.Partner = cls.env["res.partner"].with_user(operator)
        owner = cls.Partner.create({"name": "Свойствов Владелец"})
        cls.Vehicle.create(
            {"owner_id": owner.id, "vin": "XTAGFL110MY777123", "license_plate": "Х123ХХ77"}
        )

    def _result_or_clean_error(self, call):
        """``call()``'s result, or None when it raised a clean error; any other
        exception fails the test. Each call in a savepoint, so that a failed query
        cannot poison the next example."""
        try:
            with self.env.cr.savepoint():
                return call()
        except (UserError, ValidationError):
            return None

    @PROPERTY_SETTINGS
    @given(value=ANY_VALUE)
    def test_vehicle_search_returns_vehicles_or_a_clean_error(self, value):
        names = self._result_or_clean_error(lambda: self.Vehicle.name_search(value, limit=5))
        if names is not None:
            self.assertTrue(all(isinstance(vid, int) for vid, _name in names))
        found = self._result_or_clean_error(
            lambda: self.Vehicle.search([("display_name", "ilike", value)], limit=5)
        )
        if found is not None:
            self.assertEqual(found._name, "dealer.vehicle")

    @PROPERTY_SETTINGS
    @given(value=ANY_VALUE)
    def test_client_search_by_vehicle_returns_clients_or_a_clean_error(self, value):
        found = self._result_or_clean_error(
            lambda: self.Partner.search([("client_search", "ilike", value)], limit=5)
        )
        if found is not None:
            self.assertEqual(found._name, "res.partner")

    @PROPERTY_SETTINGS
    @given(vin=ANY_VALUE, plate=ANY_VALUE)
    def test_registration_stores_clean_identifiers_or_refuses(self, vin, plate):
        vehicle = self._result_or_clean_error(
            lambda: self.Vehicle.create({"vin": vin, "license_plate": plate})
        )
        if vehicle is not None:
            self.assertTrue(not vehicle.vin or vin_error(vehicle.vin) is None, vehicle.vin)
            self.assertTrue(not vehicle.license_plate or 4 <= len(vehicle.plate_normalized) <= 12)
