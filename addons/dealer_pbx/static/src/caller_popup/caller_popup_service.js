import { reactive } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

export const BUS_CALL = "dealer_pbx/call";
/** Phases of a call in the order they happen: a late message never goes back. */
export const PHASE_RANK = { ringing: 0, answered: 1, ended: 2 };
/** Popups kept on screen at once: the oldest finished ones leave first. */
export const POPUPS_MAX = 4;
/** Shared between the tabs (``multi_tab``): the calls whose popup was closed. */
export const DISMISSED_KEY = "dealer_pbx.dismissed_calls";
const DISMISSED_MAX = 50;

/**
 * The caller popup's state, fed by the bus (``dealer_pbx/call``).
 *
 * The server sends each phase of a call (ringing, answered, ended) once per
 * employee, to the employee's partner channel; Odoo's bus delivers it to every
 * open tab of that employee (one websocket shared by the tabs through the
 * SharedWorker, each notification posted to each tab once). Choice: the popup
 * appears in each tab, since the employee may be looking at any of them, and:
 *
 * - within a tab, popups are keyed by ``call_id``: the answer and the end update
 *   the popup of the ring, a repeated or late message (an older phase) changes
 *   nothing, so one call is never shown twice in a tab;
 * - closing the popup in one tab closes it in the others (the call id is put in a
 *   value shared by the tabs through localStorage, ``multi_tab``), and a call
 *   closed once is not shown again by its later phases.
 */
export const callerPopupService = {
    dependencies: ["bus_service", "multi_tab", "orm"],

    start(env, { bus_service: busService, multi_tab: multiTab, orm }) {
        const state = reactive({ calls: [] });
        const dismissed = new Set(readDismissed(multiTab.getSharedValue(DISMISSED_KEY, [])));

        function forget(callIds) {
            const ids = new Set(callIds);
            const kept = state.calls.filter((call) => !ids.has(call.call_id));
            if (kept.length !== state.calls.length) {
                state.calls.splice(0, state.calls.length, ...kept);
            }
        }

        function receive(payload) {
            if (!payload || !payload.call_id || dismissed.has(payload.call_id)) {
                return;
            }
            const current = state.calls.find((call) => call.call_id === payload.call_id);
            if (current) {
                if ((PHASE_RANK[payload.phase] ?? 0) < (PHASE_RANK[current.phase] ?? 0)) {
                    return;
                }
                Object.assign(current, payload, { receivedAt: Date.now() });
                return;
            }
            // The bus carries what the call is now, not the client cards: the popup
            // shows at once and asks for the whole of it (cards with this user's
            // rights), whichever phase comes first to this tab.
            state.calls.unshift({
                partners: [],
                ...payload,
                loading: true,
                receivedAt: Date.now(),
            });
            while (state.calls.length > POPUPS_MAX) {
                const index = state.calls.findLastIndex((call) => call.phase === "ended");
                state.calls.splice(index >= 0 ? index : state.calls.length - 1, 1);
            }
            complete(payload.call_id);
        }

        /** Fill a popup with the whole popup of its call, client cards included. */
        async function complete(callId) {
            let whole = null;
            try {
                whole = await orm.silent.call("dealer.pbx.call", "dealer_popup_payload", [
                    [callId],
                ]);
            } catch {
                // The call cannot be read (any more): the update alone is shown.
            }
            const current = state.calls.find((call) => call.call_id === callId);
            if (!current) {
                return;
            }
            if (whole && (PHASE_RANK[whole.phase] ?? 0) >= (PHASE_RANK[current.phase] ?? 0)) {
                Object.assign(current, whole);
            } else if (whole) {
                // A later update came meanwhile: only the cards are taken.
                Object.assign(current, { partners: whole.partners });
            }
            current.loading = false;
        }

        function dismiss(callId) {
            dismissed.add(callId);
            forget([callId]);
            const shared = readDismissed(multiTab.getSharedValue(DISMISSED_KEY, []));
            const ids = [...new Set([...shared, callId])].slice(-DISMISSED_MAX);
            multiTab.setSharedValue(DISMISSED_KEY, ids);
        }

        multiTab.bus.addEventListener("shared_value_updated", ({ detail }) => {
            if (detail.key !== DISMISSED_KEY) {
                return;
            }
            const ids = readDismissed(detail.newValue);
            ids.forEach((id) => dismissed.add(id));
            forget(ids);
        });

        if (user.isInternalUser) {
            busService.subscribe(BUS_CALL, receive);
            busService.start();
        }
        return { state, receive, dismiss };
    },
};

function readDismissed(value) {
    let ids = value;
    if (typeof value === "string") {
        try {
            ids = JSON.parse(value);
        } catch {
            ids = [];
        }
    }
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
}

registry.category("services").add("dealer_pbx.caller_popup", callerPopupService);
