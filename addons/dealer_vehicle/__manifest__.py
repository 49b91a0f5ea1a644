{
    "name": "Dealership: Vehicles",
    "summary": "Client vehicles: VIN, plates, brands and models sold in Russia, mileage, "
    "owner history, vehicle on tasks",
    "version": "18.0.1.0.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["dealer_base", "fleet", "project"],
    "data": [
        "security/dealer_vehicle_security.xml",
        "security/ir.model.access.csv",
        "data/fleet_vehicle_model_data.xml",
        "data/fleet_vehicle_alias_data.xml",
        "views/dealer_vehicle_views.xml",
        "views/fleet_vehicle_model_views.xml",
        "views/res_partner_views.xml",
        "views/project_task_views.xml",
    ],
    "demo": ["demo/dealer_vehicle_demo.xml"],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_tests": ["dealer_vehicle/static/src/tests/tours/*.js"],
    },
}
