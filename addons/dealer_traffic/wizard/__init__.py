from . import dealer_traffic_process_wizard
from . import dealer_traffic_ignore_wizard
from . import dealer_traffic_reassign_wizard
from . import dealer_traffic_callback_wizard
