from . import dealer_traffic_funnel_report
