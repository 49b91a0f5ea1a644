import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("dealer_vehicle_client_tour", {
    url: "/odoo/action-dealer_base.res_partner_action_clients",
    steps: () => [
        {
            content: "Look the client up by name",
            trigger: "input.o_searchview_input",
            run: "edit Турбинов",
        },
        {
            content: "Search in clients",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains(Client)",
            run: "click",
        },
        {
            content: "Open the client card",
            trigger: ".o_data_row td:contains(Турбинов Тур Турович)",
            run: "click",
        },
        {
            content: "Open the Vehicles tab",
            trigger: ".o_notebook a.nav-link:contains(Vehicles)",
            run: "click",
        },
        {
            content: "Add a vehicle",
            trigger: "div[name=vehicle_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Type the plate in Cyrillic",
            trigger: "div[name=vehicle_ids] .o_data_row td[name=license_plate] input",
            run: "edit а 777 мк 77",
        },
        {
            content: "Type the VIN",
            trigger: "div[name=vehicle_ids] .o_data_row td[name=vin] input",
            run: "edit xtagfl110my777777",
        },
        {
            content: "Save the client",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The plate is stored in upper case",
            trigger: "div[name=vehicle_ids] .o_data_row td[name=license_plate]:contains(А 777 МК 77)",
        },
        {
            content: "Back to the clients",
            trigger: ".o_back_button, .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Clear the name search",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "Type the plate in Latin letters",
            trigger: "input.o_searchview_input",
            run: "edit A777MK77",
        },
        {
            content: "Search in clients",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains(Client)",
            run: "click",
        },
        {
            content: "The client is found by the plate, and only them",
            trigger:
                ".o_list_renderer:not(:has(.o_data_row + .o_data_row)) .o_data_row td:contains(Турбинов Тур Турович)",
        },
    ],
});
