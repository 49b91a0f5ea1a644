from . import common
from . import test_status_rules
from . import test_categories
from . import test_config_checks
from . import test_segmentation_access
from . import test_decay
from . import test_reports
from . import test_ui
