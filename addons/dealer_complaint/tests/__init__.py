from . import test_complaint
from . import test_access
from . import test_survey
from . import test_reports
from . import test_ui
