{
    "name": "Dealership: Traffic",
    "summary": "Register, route, queue and process every call, visit and internet request; "
    "traffic journal, response time and sales funnel",
    "version": "18.0.1.0.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_vehicle", "project", "utm", "bus"],
    "data": [
        "security/dealer_traffic_security.xml",
        "security/ir.model.access.csv",
        "data/dealer_traffic_data.xml",
        "data/dealer_contact_goal_data.xml",
        "views/dealer_traffic_views.xml",
        "views/dealer_traffic_funnel_report_views.xml",
        "views/dealer_traffic_config_views.xml",
        "views/res_partner_views.xml",
        "views/project_task_views.xml",
        "wizard/dealer_traffic_wizard_views.xml",
        "views/dealer_traffic_menus.xml",
    ],
    "demo": ["demo/dealer_traffic_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "dealer_traffic/static/src/components/**/*",
            "dealer_traffic/static/src/views/**/*",
        ],
        "web.assets_tests": ["dealer_traffic/static/src/tests/tours/*.js"],
    },
}
