from . import dealer_traffic_process_wizard
from . import dealer_traffic_ignore_wizard
from . import dealer_traffic_reassign_wizard
from . import dealer_traffic_callback_wizard
from . import dealer_task_return_wizard
from . import dealer_traffic_period_export
