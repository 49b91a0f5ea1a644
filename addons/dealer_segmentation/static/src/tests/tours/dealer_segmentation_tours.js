import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("dealer_segmentation_client_tour", {
    url: "/odoo/action-dealer_base.res_partner_action_clients",
    steps: () => [
        {
            content: "Find the client",
            trigger: ".o_searchview_input",
            run: "edit Сегментов",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the client's card",
            trigger: ".o_data_row td:contains(Сегментов Клиент Петрович)",
            run: "click",
        },
        {
            content: "Open the CRM tab",
            trigger: ".o_notebook .nav-link:contains(CRM)",
            run: "click",
        },
        {
            content: "Service: real, with its code and the amount category's range",
            trigger:
                ".o_field_widget[name=crm_status_ids] .o_data_row:contains(Service):contains(Real):contains(АСАА)",
        },
        {
            content: "The first status is in the history",
            trigger: ".o_field_widget[name=crm_history_ids] .o_data_row:contains(Service):contains(Real)",
        },
    ],
});

registry.category("web_tour.tours").add("dealer_segmentation_register_tour", {
    url: "/odoo/action-dealer_traffic.dealer_traffic_action_register",
    steps: () => [
        {
            content: "Type the caller's phone",
            trigger: "input.o_dealer_client_input",
            run: "edit 8 916 700-11-22",
        },
        {
            content: "The result shows the client's status and code per direction",
            trigger:
                ".o_dealer_client_result:contains(Сегментов Клиент Петрович) .o_dealer_crm_badge:contains(Real):contains(АСАА)",
        },
        {
            trigger: "input.o_dealer_client_input",
            run: "press Enter",
        },
        {
            content: "So does the client card",
            trigger:
                ".o_dealer_client_card:contains(Сегментов Клиент Петрович) .o_dealer_crm_badge:contains(АСАА)",
        },
        {
            content: "Nothing to register: discard the screen",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing was registered: the screen is closed",
            trigger: "body:not(:has(.o_dealer_client_card))",
        },
    ],
});
