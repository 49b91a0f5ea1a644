import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The rule, the appointment and the people of the test (tests/test_ui.py).
const RULE = "Service appointment reminder the day before";
const TASK = "Замена масла Напоминалова";
const CLIENT = "Напоминалов Сергей Петрович";
const TEST_NUMBER = "+79167009988";
const DIALOG = ".modal .o_dealer_notify_preview_form";

/**
 * A supervisor checks the reminder of the day before an appointment: from the
 * notification rules, «Preview» renders the message for a booked appointment, with
 * the client's name, and «Send to Test Recipient» sends it to the rule's test
 * recipient, not to the client; the message log then shows it sent, with its attempt.
 */
registry.category("web_tour.tours").add("dealer_notify_rule_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("dealer_base.menu_dealer_root", "Open Dealership"),
        {
            content: "Open the notifications menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='dealer_notify.menu_dealer_notify_root']",
            run: "click",
        },
        {
            content: "Open the notification rules",
            trigger: ".dropdown-item[data-menu-xmlid='dealer_notify.menu_dealer_notify_rules_supervisor']",
            run: "click",
        },
        {
            content: "Open the reminder of the day before an appointment",
            trigger: `.o_list_view .o_data_row td[name=name]:contains(${RULE})`,
            run: "click",
        },
        {
            content: "Its card shows the test recipient",
            trigger: ".o_form_view .o_field_widget[name=test_partner_id] input:value(Тестов Получатель)",
        },
        {
            content: "Preview its message",
            trigger: ".o_form_view .o_form_statusbar button[name=action_preview]",
            run: "click",
        },
        {
            content: "Pick an appointment: the kind of document…",
            trigger: `${DIALOG} .o_field_widget[name=record_ref] select`,
            run: "select project.task",
        },
        {
            content: "…then the appointment",
            trigger: `${DIALOG} .o_field_widget[name=record_ref] .o-autocomplete input`,
            run: `edit ${TASK}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains(${TASK})`,
            run: "click",
        },
        {
            content: "The message is rendered for the client, to the test recipient's number",
            trigger: `${DIALOG} .o_field_widget[name=body]:contains(${CLIENT})`,
        },
        {
            trigger: `${DIALOG} .o_field_widget[name=address]:contains(916)`,
        },
        {
            content: "Send it to the test recipient",
            trigger: ".modal .modal-footer button[name=action_send_test]",
            run: "click",
        },
        {
            content: "It went to the test recipient",
            trigger: `.o_notification:contains(${TEST_NUMBER})`,
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The message log shows it",
            trigger: ".o_main_navbar button[data-menu-xmlid='dealer_notify.menu_dealer_notify_root']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='dealer_notify.menu_dealer_notify_log']",
            run: "click",
        },
        {
            content: "Open the test message",
            trigger: `.o_list_view .o_data_row:has(td[name=address]:contains(${TEST_NUMBER})) td[name=rule_id]:contains(${RULE})`,
            run: "click",
        },
        {
            content: "It was sent through the gateway…",
            trigger: ".o_form_view .o_field_widget[name=state] button[aria-checked=true]:contains(Sent)",
        },
        {
            content: "…with the rendered text",
            trigger: `.o_form_view .o_field_widget[name=body]:contains(${CLIENT})`,
        },
        {
            content: "Its attempts",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(Attempts)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=attempt_ids] .o_data_row td[name=outcome]:contains(Sent)",
        },
    ],
});
