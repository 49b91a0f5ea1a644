import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("dealer_traffic_new_client_tour", {
    url: "/odoo/action-dealer_traffic.dealer_traffic_action_register",
    steps: () => [
        {
            content: "Channel: call",
            trigger: ".o_field_widget[name=channel_id] .o_selection_badge:contains(Call)",
            run: "click",
        },
        {
            content: "Direction: service",
            trigger: ".o_field_widget[name=direction_id] .o_selection_badge:contains(Service)",
            run: "click",
        },
        {
            content: "Goal: car repair",
            trigger: ".o_field_widget[name=goal_id] .o_selection_badge:contains(Ремонт автомобиля)",
            run: "click",
        },
        {
            content: "A call from an unknown number",
            trigger: "input.o_dealer_client_input",
            run: "edit 8 (916) 555-44-33",
        },
        {
            content: "Nobody has this number",
            trigger: ".o_dealer_client_results .o_dealer_client_not_found",
        },
        {
            content: "Enter asks for the new client's details before creating anything",
            trigger: "input.o_dealer_client_input",
            run: "press Enter",
        },
        {
            content: "The typed number is the new client's phone",
            trigger: ".o_dealer_new_client .o_dealer_new_phone:value(8 (916) 555-44-33)",
        },
        {
            trigger: ".o_dealer_new_client .o_dealer_new_name",
            run: "edit Новиков Артём Сергеевич",
        },
        {
            trigger: ".o_dealer_new_client .o_dealer_new_note",
            run: "edit Звонил по рекламе на радио",
        },
        {
            content: "The caller's own car: the model",
            trigger: ".o_dealer_new_client .o_dealer_new_model input",
            run: "edit Granta",
        },
        {
            content: "Once only matching models are offered, pick Granta",
            trigger:
                ".o_dealer_new_client .o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item:not(:contains(Granta)))) .o-autocomplete--dropdown-item:contains(Granta)",
            run: "click",
        },
        {
            trigger: ".o_dealer_new_client .o_dealer_new_model input:value(Lada/Granta)",
        },
        {
            trigger: ".o_dealer_new_client .o_dealer_new_year",
            run: "edit 2019",
        },
        {
            content: "and its plate",
            trigger: ".o_dealer_new_client .o_dealer_new_identifier",
            run: "edit х555хх799",
        },
        {
            content: "Create the client",
            trigger: ".o_dealer_new_client .o_dealer_new_confirm",
            run: "click",
        },
        {
            content: "The card of the new client shows the car",
            trigger: ".o_dealer_client_card:contains(Новиков Артём Сергеевич) .o_dealer_card_vehicle:contains(Х555ХХ799)",
        },
        {
            content: "with its year and model",
            trigger: ".o_dealer_card_vehicle:contains(Х555ХХ799):contains(2019):contains(Granta)",
        },
        {
            content: "and the note",
            trigger: ".o_dealer_client_card .o_dealer_client_note:contains(Звонил по рекламе на радио)",
        },
        {
            content: "Choose the consultant",
            trigger: ".o_dealer_responsible:contains(Консультант Тура)",
            run: "click",
        },
        {
            trigger: ".o_dealer_responsible.active:contains(Консультант Тура)",
        },
        {
            content: "Register",
            trigger: "button[name=action_register_from_screen]",
            run: "click",
        },
        {
            content: "Confirmation, and a blank screen for the next contact",
            trigger: ".o_notification:contains(registered to Консультант Тура)",
        },
        {
            trigger: "input.o_dealer_client_input:value()",
        },
    ],
});
