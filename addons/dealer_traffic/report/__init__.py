from . import dealer_traffic_report_mixin
from . import dealer_traffic_funnel_report
from . import dealer_traffic_statistics_report
from . import dealer_traffic_response_report
from . import dealer_traffic_summary_report
