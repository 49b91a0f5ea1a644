{
    "name": "Dealership: Clients",
    "summary": "Dealership app, roles, directions, client card with normalized phones, "
    "consents and client search",
    "version": "18.0.1.0.0",
    "category": "Dealership",
    "author": "Dealer CRM",
    "website": "https://github.com/dealer-crm/dealer-crm",
    "license": "LGPL-3",
    "depends": ["contacts", "mail", "phone_validation", "utm"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/dealer_base_security.xml",
        "security/ir.model.access.csv",
        "data/dealer_direction_data.xml",
        "data/res.country.state.csv",
        "views/dealer_direction_views.xml",
        "views/dealer_partner_phone_views.xml",
        "views/res_partner_views.xml",
        "views/res_users_views.xml",
        "views/res_country_state_views.xml",
        "views/dealer_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
    ],
    "application": True,
}
