from . import test_vehicle_formats
from . import test_vehicle
from . import test_access
from . import test_ui
from . import test_input_validation
from . import test_normalizers_property
from . import test_catalogue_search
from . import test_partner_vehicles
