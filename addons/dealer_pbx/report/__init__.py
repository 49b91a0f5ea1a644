from . import dealer_pbx_call_report
