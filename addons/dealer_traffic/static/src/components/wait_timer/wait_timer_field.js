import { Component, onWillUnmount, useState } from "@odoo/owl";
import { deserializeDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/** Live waiting time since a datetime (the moment a walk-in joined the queue). */
export class WaitTimerField extends Component {
    static template = "dealer_traffic.WaitTimerField";
    static props = { ...standardFieldProps };

    setup() {
        this.state = useState({ now: luxon.DateTime.now() });
        const interval = setInterval(() => (this.state.now = luxon.DateTime.now()), 1000);
        onWillUnmount(() => clearInterval(interval));
    }

    get elapsed() {
        const value = this.props.record.data[this.props.name];
        if (!value) {
            return "";
        }
        const start = typeof value === "string" ? deserializeDateTime(value) : value;
        const seconds = Math.max(0, Math.floor(this.state.now.diff(start, "seconds").seconds));
        const pad = (n) => String(n).padStart(2, "0");
        return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
    }
}

registry.category("fields").add("dealer_wait_timer", {
    component: WaitTimerField,
    supportedTypes: ["datetime"],
});
