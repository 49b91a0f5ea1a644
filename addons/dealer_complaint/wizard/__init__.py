from . import dealer_complaint_reject
from . import dealer_traffic_process_wizard
from . import dealer_complaint_followup
