import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("dealer_traffic_register_tour", {
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
            content: "Type the caller's phone in another format than stored",
            trigger: "input.o_dealer_client_input",
            run: "edit 8 (916) 433-21-10",
        },
        {
            content: "The client is found with their car; choose with Enter",
            trigger: ".o_dealer_client_result.table-active:contains(Туров Клиент Иванович):contains(Т433ТТ77)",
        },
        {
            trigger: "input.o_dealer_client_input",
            run: "press Enter",
        },
        {
            content: "The client card is shown",
            trigger: ".o_dealer_client_card .o_dealer_client_name:contains(Туров Клиент Иванович)",
        },
        {
            content: "The only car of the client is preselected",
            trigger: ".o_field_widget[name=vehicle_id] input:value(Т433ТТ77)",
        },
        {
            content: "Register before choosing the responsible: refused",
            trigger: "button[name=action_register_from_screen]",
            run: "click",
        },
        {
            content: "The reason is shown, and nothing was saved",
            trigger: ".modal:contains(Choose the responsible employee) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Choose the consultant, shown with availability and counts",
            trigger: ".o_dealer_responsible[data-presence=available]:contains(Консультант Тура):contains(0/0)",
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

registry.category("web_tour.tours").add("dealer_traffic_process_tour", {
    url: "/odoo/action-dealer_traffic.dealer_traffic_action_my",
    steps: () => [
        {
            content: "Open the contact registered to me",
            trigger: ".o_data_row td:contains(Туров Клиент Иванович)",
            run: "click",
        },
        {
            content: "The consultant's window shows the client's card: phone and car",
            trigger:
                ".o_dealer_traffic_client_card .o_dealer_client_card:contains(Туров Клиент Иванович):contains(+7 916 433 21 10) .o_dealer_card_vehicle:contains(Т433ТТ77)",
        },
        {
            content: "Take it",
            trigger: "button[name=action_take]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(In Work)",
        },
        {
            content: "Process",
            trigger: "button[name=action_open_process]",
            run: "click",
        },
        {
            content: "A vehicle visit",
            trigger: ".modal .o_field_widget[name=kind] .o_selection_badge:contains(Vehicle Visit)",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The new task opens, for the client",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Туров Клиент Иванович)",
        },
        {
            content: "Back to my traffic",
            trigger: ".breadcrumb-item:not(.active) a:contains(My Traffic)",
            run: "click",
        },
        {
            content: "The processed contact no longer waits for me",
            trigger: ".o_view_nocontent:contains(Nothing waits for you)",
        },
    ],
});

registry.category("web_tour.tours").add("dealer_traffic_queue_tour", {
    url: "/odoo/action-dealer_traffic.dealer_traffic_action_register",
    steps: () => [
        {
            content: "A walk-in",
            trigger: ".o_field_widget[name=channel_id] .o_selection_badge:contains(Visit)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=direction_id] .o_selection_badge:contains(Service)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=goal_id] .o_selection_badge:contains(Ремонт автомобиля)",
            run: "click",
        },
        {
            content: "An unknown visitor gives a name",
            trigger: "input.o_dealer_client_input",
            run: "edit Пешеходов Пётр",
        },
        {
            content: "Nobody found: create the client from what was typed",
            trigger: ".o_dealer_client_results:contains(No client found) .o_dealer_client_create",
            run: "click",
        },
        {
            content: "The new client's details, the name taken from what was typed: create",
            trigger: ".o_dealer_new_client:has(.o_dealer_new_name:value(Пешеходов Пётр)) .o_dealer_new_confirm",
            run: "click",
        },
        {
            trigger: ".o_dealer_client_card .o_dealer_client_name:contains(Пешеходов Пётр)",
        },
        {
            content: "Put the visitor in the waiting queue",
            trigger: "button[name=action_queue_from_screen]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(is waiting in the queue)",
        },
    ],
});

registry.category("web_tour.tours").add("dealer_traffic_assign_from_queue_tour", {
    url: "/odoo/action-dealer_traffic.dealer_traffic_action_queue",
    steps: () => [
        {
            content: "The visitor waits, with a live waiting time",
            trigger: ".o_kanban_record:contains(Пешеходов Пётр) .o_dealer_wait_timer:contains(0:0)",
        },
        {
            content: "Assign from the queue",
            trigger: ".o_kanban_record:contains(Пешеходов Пётр) button[name=action_open_reassign]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Консультант Тура",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Консультант Тура)",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The visitor left the queue",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains(Пешеходов Пётр)))",
        },
    ],
});

// Booked the day after tomorrow at 10:00 (in the browser's zone, as the field shows it).
const appointmentDay = () => luxon.DateTime.now().plus({ days: 2 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });

registry.category("web_tour.tours").add("dealer_traffic_appointment_tour", {
    url: "/odoo/action-dealer_traffic.dealer_traffic_action_my",
    steps: () => [
        {
            content: "Open the contact taken into work",
            trigger: ".o_data_row td:contains(Туров Клиент Иванович)",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(In Work)",
        },
        {
            content: "Process",
            trigger: "button[name=action_open_process]",
            run: "click",
        },
        {
            content: "Into an appointment, as the contact's goal suggests",
            trigger: ".modal .o_field_widget[name=kind] .o_selection_badge.active:contains(Appointment)",
        },
        {
            content: "The kind of appointment: diagnostics",
            trigger: ".modal .o_field_widget[name=appointment_kind_id] .o_selection_badge:contains(Diagnostics)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=appointment_kind_id] .o_selection_badge.active:contains(Diagnostics)",
        },
        {
            content: "The service advisor: a consultant of the branch",
            trigger: ".modal .o_field_widget[name=advisor_id] input",
            run: "edit Мастер Тура",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Мастер Тура)",
            run: "click",
        },
        {
            content: "The date and time the client is booked for",
            trigger: ".modal .o_field_widget[name=visit_at] input",
            run: `edit ${appointmentDay().toFormat("MM/dd/yyyy HH:mm:ss")} && press Enter`,
        },
        {
            trigger: `.modal .o_field_widget[name=visit_at] input:value(${appointmentDay().toFormat("MM/dd/yyyy")})`,
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The appointment opens, booked with the advisor",
            trigger: ".o_form_view .o_field_widget[name=dealer_advisor_id] input:value(Мастер Тура)",
        },
        {
            trigger: `.o_form_view .o_field_widget[name=dealer_visit_at] input:value(${appointmentDay().toFormat("MM/dd/yyyy")})`,
        },
        {
            content: "Open the calendar of appointments",
            trigger: "button[name=action_dealer_open_calendar]",
            run: "click",
        },
        {
            content: "The appointment is in the calendar on its day",
            trigger: ".o_calendar_view .fc-event:contains(Туров Клиент Иванович)",
        },
        {
            content: "The calendar is filtered per advisor",
            trigger: ".o_calendar_filter[data-name=dealer_advisor_id] .o_calendar_filter_item:contains(Мастер Тура)",
        },
        {
            trigger: ".o_calendar_filter[data-name=dealer_appointment_kind_id] .o_calendar_filter_item:contains(Diagnostics)",
        },
    ],
});
