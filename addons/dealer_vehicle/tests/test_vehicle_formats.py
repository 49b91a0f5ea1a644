from odoo.addons.dealer_vehicle.tools import normalize_plate, normalize_vin, vin_error
from odoo.tests import TransactionCase, tagged

# (as typed, canonical) — Cyrillic plates, Latin look-alikes, spacing and case.
PLATES = [
    ("А123ВС77", "А123ВС77"),
    ("A123BC77", "А123ВС77"),
    ("a 123 bc 77", "А123ВС77"),
    ("а123вс 77", "А123ВС77"),
    ("A123ВС-77", "А123ВС77"),
    ("  м 901 ет 199 ", "М901ЕТ199"),
    ("M901ET199", "М901ЕТ199"),
    ("о777оо77", "О777ОО77"),
    ("O777OO77", "О777ОО77"),
    ("Х909ХХ750", "Х909ХХ750"),
    ("X909XX750", "Х909ХХ750"),
    ("y300yy790", "У300УУ790"),
    ("Р100РР77", "Р100РР77"),
    ("p100pp77", "Р100РР77"),
    ("Т019ТК 799", "Т019ТК799"),
    ("t019tk799", "Т019ТК799"),
    ("ен 1234 77", "ЕН123477"),
    ("AA 123 4 77", "АА123477"),
    ("", False),
    (False, False),
]

# (as typed, stored, error or None)
VINS = [
    ("XTAGFL110MY512345", "XTAGFL110MY512345", None),
    ("xtagfl110my512345", "XTAGFL110MY512345", None),
    ("XTA GFL110 MY512345", "XTAGFL110MY512345", None),
    ("WDD-2120021A123456", "WDD2120021A123456", None),
    ("NMTBM28E80R058037", "NMTBM28E80R058037", None),
    ("Z94CB41AAHR123457", "Z94CB41AAHR123457", None),
    ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788", None),  # US, check digit X
    ("1M8GDM9A1KP042788", "1M8GDM9A1KP042788", "check_digit"),
    ("2HGFG12567H123456", "2HGFG12567H123456", "check_digit"),  # Canada
    ("WBACR61030L12345", "WBACR61030L12345", "length"),
    ("WBACR61030L1234567", "WBACR61030L1234567", "length"),
    ("WBACR6103OL123456", "WBACR6103OL123456", "alphabet"),  # letter O
    ("XTAIFL110MY512345", "XTAIFL110MY512345", "alphabet"),  # letter I
    ("XTAQFL110MY512345", "XTAQFL110MY512345", "alphabet"),  # letter Q
]


@tagged("post_install", "-at_install")
class TestVehicleFormats(TransactionCase):
    def test_plates(self):
        for raw, expected in PLATES:
            with self.subTest(raw=raw):
                self.assertEqual(normalize_plate(raw), expected)

    def test_vins(self):
        for raw, stored, error in VINS:
            with self.subTest(raw=raw):
                self.assertEqual(normalize_vin(raw), stored)
                self.assertEqual(vin_error(stored), error)

    def test_table_size(self):
        self.assertGreaterEqual(len(PLATES) + len(VINS), 30)
