import { Component, onWillDestroy, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/** ``m:ss`` (or ``h:mm:ss``) of a number of seconds. */
export function formatDuration(seconds) {
    const total = Math.max(Math.round(seconds || 0), 0);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = String(total % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/**
 * The caller popups (seed 000, «ИНТЕГРАЦИЯ С IP ТЕЛЕФОНИЕЙ»): one sticky card per
 * call, bottom right of every screen, with the caller's number, the clients found
 * with their CRM code, cars and open tasks, and the buttons to open the client's
 * card, register the contact (the registration screen prefilled from the call) or
 * create the client. The answer and the end of the call update the same card.
 */
export class CallerPopups extends Component {
    static template = "dealer_pbx.CallerPopups";
    static props = {};

    setup() {
        this.popups = useService("dealer_pbx.caller_popup");
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState(this.popups.state);
        this.clock = useState({ now: Date.now() });
        const interval = browser.setInterval(() => {
            if (this.state.calls.some((call) => call.state === "talking" || call.state === "ringing")) {
                this.clock.now = Date.now();
            }
        }, 1000);
        onWillDestroy(() => browser.clearInterval(interval));
    }

    title(call) {
        return (
            {
                ringing: _t("Incoming call"),
                talking: _t("Talking"),
                done: _t("Call ended"),
                missed: _t("Missed call"),
            }[call.state] || _t("Call")
        );
    }

    stateClass(call) {
        return (
            {
                ringing: "text-bg-warning",
                talking: "text-bg-success",
                done: "text-bg-secondary",
                missed: "text-bg-danger",
            }[call.state] || "text-bg-secondary"
        );
    }

    /** Seconds since a UTC date of the payload, measured on this computer's clock. */
    since(value) {
        if (!value) {
            return 0;
        }
        return (this.clock.now - deserializeDateTime(value).toMillis()) / 1000;
    }

    timing(call) {
        if (call.state === "talking") {
            return _t("Talking %s", formatDuration(this.since(call.date_answer)));
        }
        if (call.state === "done") {
            return _t("Talk time %s", formatDuration(call.talk_seconds));
        }
        if (call.state === "missed") {
            return _t("Waited %s", formatDuration(call.wait_seconds));
        }
        return _t("Ringing %s", formatDuration(this.since(call.date_start)));
    }

    started(call) {
        return call.date_start ? formatDateTime(deserializeDateTime(call.date_start)) : "";
    }

    crmCodes(card) {
        // Only the directions where the client has a status: the popup is small.
        return (card.crm || []).filter((row) => row.set !== false);
    }

    close(call) {
        this.popups.dismiss(call.call_id);
    }

    async openPartner(partnerId) {
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: partnerId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    async openTraffic(call) {
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "dealer.traffic",
            res_id: call.traffic_id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    async register(call, partnerId = false) {
        const action = await this.orm.call("dealer.pbx.call", "action_register_traffic", [
            [call.call_id],
        ], { partner_id: partnerId || call.partner_id || false });
        await this.action.doAction(action);
    }

    async createPartner(call) {
        const action = await this.orm.call("dealer.pbx.call", "action_create_partner", [
            [call.call_id],
        ]);
        await this.action.doAction(action);
    }
}

registry.category("main_components").add("dealer_pbx.CallerPopups", { Component: CallerPopups });
