import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

// The PBX of the test (tests/test_ui.py): its webhook token and HMAC secret.
const TOKEN = "dealer-pbx-ui-tour-token-0001";
const SECRET = "dealer-pbx-ui-tour-secret";
const CALL_ID = "tour-call-1";
const CALLER = "+79168112233";
const POPUP = `.o_dealer_pbx_popup[data-call-id]`;

/** POST events to the real webhook, signed as a generic PBX signs them. */
async function post(events) {
    const body = JSON.stringify(events);
    const encoder = new TextEncoder();
    const key = await crypto.subtle.importKey(
        "raw",
        encoder.encode(SECRET),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"]
    );
    const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
    const hex = [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    const response = await fetch(`/dealer_pbx/webhook/${TOKEN}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Dealer-Signature": `sha256=${hex}` },
        body,
    });
    if (!response.ok) {
        throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    }
}

// The moment the tour's call is placed: every event's time is counted from it.
let placedAt = null;

function at(secondsAgo) {
    placedAt = placedAt || Date.now();
    return new Date(placedAt - secondsAgo * 1000).toISOString();
}

function event(kind, secondsAgo, extra = {}) {
    return {
        event: kind,
        call_id: CALL_ID,
        direction: "incoming",
        from: CALLER,
        to: "+74957554410",
        line: "+74957554410",
        extension: "101",
        time: at(secondsAgo),
        ...extra,
    };
}

function onlyOnePopup() {
    const popups = document.querySelectorAll(POPUP);
    if (popups.length !== 1) {
        throw new Error(`expected one caller popup, found ${popups.length}`);
    }
}

/**
 * A call rings the operator's extension: the popup shows the caller with the client
 * found, their CRM code (with dealer_segmentation), car and open task; «Register»
 * opens the registration screen prefilled from the call; the answer and the end of
 * the call update the same popup, and the contact registered is linked to the call.
 */
registry.category("web_tour.tours").add("dealer_pbx_caller_popup_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The web client is ready: the PBX posts «ringing» for extension 101",
            trigger: ".o_main_navbar",
            run: () => post([event("ringing", 60)]),
        },
        {
            content: "The popup shows the caller, the client found, their car and open task",
            trigger: `${POPUP}[data-state=ringing]:contains(${CALLER}) .o_dealer_pbx_client_name:contains(Звонков Пётр Ильич)`,
        },
        {
            trigger: `${POPUP} .o_dealer_pbx_cars:contains(З811ЗЗ77)`,
        },
        {
            trigger: `${POPUP} .o_dealer_pbx_tasks:contains(Замена масла)`,
        },
        {
            content: "The line gives the direction and the source",
            trigger: `${POPUP} .o_dealer_pbx_line:contains(Сервис)`,
        },
        {
            content: "With the CRM statuses installed, the client's CRM code is shown",
            trigger: POPUP,
            run: async () => {
                const fields = await rpc("/web/dataset/call_kw/res.partner/fields_get", {
                    model: "res.partner",
                    method: "fields_get",
                    args: [["crm_status_ids"]],
                    kwargs: { attributes: ["type"] },
                });
                if (fields.crm_status_ids && !document.querySelector(`${POPUP} .o_dealer_pbx_crm`)) {
                    throw new Error("the client's CRM code is not shown");
                }
            },
        },
        {
            content: "The PBX says the operator answered",
            trigger: POPUP,
            run: () => post([event("answered", 50)]),
        },
        {
            content: "The same popup now shows the conversation",
            trigger: `${POPUP}[data-state=talking] .o_dealer_pbx_timing:contains(Talking)`,
            run: onlyOnePopup,
        },
        {
            content: "Register the contact from the popup",
            trigger: `${POPUP} button.o_dealer_pbx_register`,
            run: "click",
        },
        {
            content: "The registration screen is prefilled: channel call…",
            trigger: ".o_dealer_register .o_field_widget[name=channel_id] .o_selection_badge.active:contains(Call)",
        },
        {
            content: "…the line's direction…",
            trigger: ".o_dealer_register .o_field_widget[name=direction_id] .o_selection_badge.active:contains(Service)",
        },
        {
            content: "…the line's source…",
            trigger: ".o_dealer_register .o_field_widget[name=source_id] input:value(Авито)",
        },
        {
            content: "…and the client found",
            trigger: ".o_dealer_register .o_dealer_client_card .o_dealer_client_name:contains(Звонков Пётр Ильич)",
        },
        {
            content: "The call ends while the operator registers",
            trigger: ".o_dealer_register",
            run: () => post([event("ended", 8, { disposition: "answered" })]),
        },
        {
            content: "The popup shows the end of the call with its talk time",
            trigger: `${POPUP}[data-state=done] .o_dealer_pbx_timing:contains(Talk time 0:42)`,
            run: onlyOnePopup,
        },
        {
            content: "Goal: car repair",
            trigger: ".o_field_widget[name=goal_id] .o_selection_badge:contains(Ремонт автомобиля)",
            run: "click",
        },
        {
            content: "The responsible consultant",
            trigger: ".o_dealer_responsible:contains(Консультант АТС)",
            run: "click",
        },
        {
            trigger: ".o_dealer_responsible.active:contains(Консультант АТС)",
        },
        {
            content: "Register",
            trigger: ".o_dealer_register button[name=action_register_from_screen]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(registered to Консультант АТС)",
        },
        {
            content: "Close the popup",
            trigger: `${POPUP} .o_dealer_pbx_close`,
            run: "click",
        },
        {
            content: "It is gone",
            trigger: "body:not(:has(.o_dealer_pbx_popup))",
        },
    ],
});

const LATE_CALL = "tour-call-2";
const LATE_POPUP = `.o_dealer_pbx_popup[data-call-id]`;

/**
 * The bus carries what the call is now; the tab asks for the client cards. A tab opened
 * after the ring (here: the page reloaded) gets the answer first: it shows it at once
 * and fetches the whole popup, cards included.
 */
registry.category("web_tour.tours").add("dealer_pbx_caller_popup_update_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The PBX posts «ringing» for extension 101",
            trigger: ".o_main_navbar",
            run: () => post([event("ringing", 30, { call_id: LATE_CALL })]),
        },
        {
            content: "The popup shows the client found",
            trigger: `${LATE_POPUP}[data-state=ringing] .o_dealer_pbx_client_name:contains(Звонков Пётр Ильич)`,
            run: () => location.reload(),
        },
        {
            content: "A new page: no popup until the next phase of the call",
            trigger: ".o_main_navbar",
        },
        {
            trigger: "body:not(:has(.o_dealer_pbx_popup))",
            run: () => post([event("answered", 20, { call_id: LATE_CALL })]),
        },
        {
            content: "The update opens the popup, completed with the client's card",
            trigger: `${LATE_POPUP}[data-state=talking] .o_dealer_pbx_client_name:contains(Звонков Пётр Ильич)`,
        },
        {
            trigger: `${LATE_POPUP} .o_dealer_pbx_cars:contains(З811ЗЗ77)`,
            run: onlyOnePopup,
        },
        {
            content: "The end of the call updates it",
            trigger: LATE_POPUP,
            run: () => post([event("ended", 0, { call_id: LATE_CALL, disposition: "answered" })]),
        },
        {
            trigger: `${LATE_POPUP}[data-state=done] .o_dealer_pbx_timing:contains(Talk time 0:20)`,
            run: onlyOnePopup,
        },
    ],
});
