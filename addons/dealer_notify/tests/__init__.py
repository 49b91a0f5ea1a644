from . import (
    test_access,
    test_consent,
    test_delivery,
    test_planning,
    test_sending_rules,
    test_templates,
)
from . import test_gateways
from . import test_ui
