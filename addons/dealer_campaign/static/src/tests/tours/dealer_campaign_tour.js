import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The campaign, its clients and employees of the test (tests/test_ui.py).
const CAMPAIGN = "Зимний тест-драйв кроссоверов";
const PROMOTION = "Смарт в подарок тур";
const TAG = "Тур акции";
const CALLER_A = "Поляков Игорь";
const CALLER_B = "Сардин Эдуард";
const COMMENT = "Приедет в субботу с женой";
const DIALOG = ".modal .o_dealer_campaign_add_contacts";

function openCampaignMenu(item) {
    return [
        ...stepUtils.goToAppSteps("dealer_base.menu_dealer_root", "Open Dealership"),
        {
            content: "Open the campaigns menu",
            trigger: ".o_main_navbar button[data-menu-xmlid='dealer_campaign.menu_dealer_campaign_root']",
            run: "click",
        },
        {
            trigger: `.dropdown-item[data-menu-xmlid='dealer_campaign.${item}']`,
            run: "click",
        },
    ];
}

function pickMany2one(field, search, label, scope = ".o_form_view") {
    return [
        {
            content: `${field}: ${label}`,
            trigger: `${scope} .o_field_widget[name=${field}] input`,
            run: `edit ${search}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item:contains(${label})`,
            run: "click",
        },
    ];
}

/**
 * A supervisor creates a phone campaign of cold calls with two employees, adds the
 * clients of a tag from the system's data (individuals only: the dialog tells how many
 * match before adding, and how many were left out), distributes them as call tasks
 * and starts the campaign.
 */
registry.category("web_tour.tours").add("dealer_campaign_tour", {
    url: "/odoo",
    steps: () => [
        ...openCampaignMenu("menu_dealer_campaign_campaigns"),
        {
            content: "A new campaign",
            trigger: ".o_control_panel button.o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: `edit ${CAMPAIGN}`,
        },
        ...pickMany2one("goal_id", "Холодный", "Холодный обзвон"),
        {
            content: "Channel: phone calls",
            trigger: ".o_form_view .o_field_widget[name=channel] input[data-value=phone]",
            run: "click",
        },
        ...pickMany2one("utm_campaign_id", PROMOTION, PROMOTION),
        {
            content: "Two tasks per person a day",
            trigger: ".o_form_view .o_field_widget[name=tasks_per_day] input",
            run: "edit 2",
        },
        ...pickMany2one("user_ids", "Поляков", CALLER_A),
        {
            trigger: `.o_form_view .o_field_widget[name=user_ids] .o_tag:contains(${CALLER_A})`,
        },
        ...pickMany2one("user_ids", "Сардин", CALLER_B),
        {
            trigger: `.o_form_view .o_field_widget[name=user_ids] .o_tag:contains(${CALLER_B})`,
        },
        {
            content: "Add contacts (saves the campaign)",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_add_contacts]",
            run: "click",
        },
        {
            content: "From the system's data by default",
            trigger: `${DIALOG} .o_field_widget[name=source] input[data-value=system]:checked`,
        },
        {
            content: "Individuals only",
            trigger: `${DIALOG} .o_field_widget[name=partner_type] input[data-value=person]`,
            run: "click",
        },
        {
            content: "SMS consent: any",
            trigger: `${DIALOG} .o_field_widget[name=consent_sms_filter] input[data-value=all]`,
            run: "click",
        },
        ...pickMany2one("category_ids", TAG, TAG, DIALOG),
        {
            content: "The dialog shows how many clients match: the four people of the tag",
            trigger: `${DIALOG} .o_field_widget[name=match_count]:contains(4)`,
        },
        {
            content: "Add them",
            trigger: ".modal .modal-footer button[name=action_add]",
            run: "click",
        },
        {
            content: "Three added…",
            trigger: `${DIALOG} .o_dealer_campaign_added:contains(3)`,
        },
        {
            content: "…one left out: he asked not to be called",
            trigger: `${DIALOG} .o_field_widget[name=excluded_count]:contains(1)`,
        },
        {
            trigger: ".modal .modal-footer button.btn-primary:contains(Close)",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The campaign counts its planned contacts",
            trigger: ".o_form_view .oe_stat_button:contains(Planned Contacts) .o_stat_value:contains(3)",
        },
        {
            content: "Distribute them over the employees",
            trigger: ".o_form_view .o_form_statusbar button[name=action_distribute]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(3)",
        },
        {
            content: "Three call tasks",
            trigger: ".o_form_view .oe_stat_button:contains(Planned Tasks) .o_stat_value:contains(3)",
        },
        {
            content: "Each contact has its employee",
            trigger: `.o_form_view .o_field_widget[name=contact_ids] .o_data_row td[name=user_id]:contains(${CALLER_B})`,
        },
        {
            content: "Start the campaign",
            trigger: ".o_form_view .o_form_statusbar button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button[data-value=running][aria-checked=true]",
        },
        {
            content: "Back to the journal, as cards",
            trigger: ".o_control_panel .breadcrumb-item a:contains(Campaigns)",
            run: "click",
        },
        {
            trigger: ".o_control_panel .o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Its card",
            trigger: `.o_kanban_record:contains(${CAMPAIGN})`,
        },
        {
            content: "The results per campaign and employee",
            trigger: ".o_main_navbar button[data-menu-xmlid='dealer_base.menu_dealer_reporting']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='dealer_campaign.menu_dealer_campaign_analysis']",
            run: "click",
        },
        {
            trigger: `.o_pivot th.o_pivot_header_cell_opened:contains(${CAMPAIGN})`,
        },
        {
            trigger: `.o_pivot th:contains(${CALLER_B})`,
        },
    ],
});

/**
 * A consultant opens the calls of the campaign distributed to them, works one and
 * sets its outcome: informed.
 */
registry.category("web_tour.tours").add("dealer_campaign_call_tour", {
    url: "/odoo",
    steps: () => [
        ...openCampaignMenu("menu_dealer_campaign_my_calls"),
        {
            content: "My calls: the two distributed to me",
            trigger: `.o_list_view .o_data_row:nth-child(2) td[name=campaign_id]:contains(${CAMPAIGN})`,
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(3)))",
        },
        {
            content: "Open the first call",
            trigger: ".o_list_view .o_data_row:first-child td[name=partner_id]",
            run: "click",
        },
        {
            content: "Set its outcome",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_outcome]",
            run: "click",
        },
        {
            content: "Informed",
            trigger: ".modal .o_field_widget[name=outcome] input[data-value=informed]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=comment] input",
            run: `edit ${COMMENT}`,
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The call is done, with its comment",
            trigger: ".o_form_view .o_statusbar_status button[data-value=done][aria-checked=true]",
        },
        {
            trigger: `.o_form_view .o_field_widget[name=outcome_comment]:contains(${COMMENT})`,
        },
    ],
});

/**
 * A consultant works a call from its task: «Call Outcome» on the task form.
 */
registry.category("web_tour.tours").add("dealer_campaign_task_outcome_tour", {
    url: "/odoo",
    steps: () => [
        ...openCampaignMenu("menu_dealer_campaign_my_calls"),
        {
            content: "Open the call",
            trigger: ".o_list_view .o_data_row td[name=partner_id]:contains(Акционов Пётр)",
            run: "click",
        },
        {
            content: "Open its call task",
            trigger: ".o_form_view .o_field_widget[name=task_id] a",
            run: "click",
        },
        {
            content: "The task tells its campaign",
            trigger: ".o_form_view .o_field_widget[name=dealer_campaign_id]:contains(Звонки с задачи)",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_campaign_outcome]",
            run: "click",
        },
        {
            content: "Unreachable",
            trigger: ".modal .o_field_widget[name=outcome] input[data-value=unreachable]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=comment] input",
            run: "edit Не берёт трубку",
        },
        {
            trigger: ".modal .modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The task shows the outcome; the button is gone",
            trigger: ".o_form_view .o_field_widget[name=dealer_campaign_outcome]:contains(Unreachable)",
        },
        {
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_open_campaign_outcome]))",
        },
    ],
});
