from . import common
from . import test_traffic_flow
from . import test_traffic_guard
from . import test_auto_ignore
from . import test_traffic_access
from . import test_traffic_reports
from . import test_registration_helpers
from . import test_ui
