{
    "name": "Dealership: PBX",
    "summary": "Webhook call events from Asterisk, Zadarma, Mango Office or any PBX: call log "
    "with recordings, caller popup, missed calls with callbacks, traffic link",
    "version": "18.0.1.1.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_traffic", "phone_validation", "bus", "mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/dealer_pbx_security.xml",
        "security/ir.model.access.csv",
        "data/dealer_pbx_data.xml",
        "views/dealer_pbx_views.xml",
        "views/dealer_pbx_call_views.xml",
        "views/dealer_pbx_request_views.xml",
        "views/res_partner_views.xml",
        "views/dealer_traffic_views.xml",
        "views/dealer_pbx_report_views.xml",
        "views/dealer_pbx_menus.xml",
        "views/dial_views.xml",
    ],
    "demo": ["demo/dealer_pbx_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "dealer_pbx/static/src/caller_popup/**/*",
            "dealer_pbx/static/src/dial/**/*",
        ],
        "web.assets_tests": ["dealer_pbx/static/src/tests/tours/*.js"],
    },
}
