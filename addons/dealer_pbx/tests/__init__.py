from . import test_adapters
from . import test_assembly
from . import test_access
from . import test_webhook
from . import test_reports
from . import test_dial
from . import test_ui
