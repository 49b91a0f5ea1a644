from . import test_campaign
from . import test_ui
from . import test_contact_import
