from . import test_access, test_campaign
from . import test_ui
from . import test_contact_import
