import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Client identification on the registration screen: one input for a phone, a
 * name, a VIN or a plate; the matching clients with their cars and open tasks;
 * arrows + Enter to choose, or create the client from what was typed.
 */
export class ClientLookupField extends Component {
    static template = "dealer_traffic.ClientLookupField";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.input = useRef("input");
        this.state = useState({ text: "", results: [], active: 0, searched: false, card: null });
        this.search = useDebounced(this.search.bind(this), 250);
        onWillStart(() => this.loadCard());
    }

    get partner() {
        return this.props.record.data[this.props.name];
    }

    async loadCard() {
        const partner = this.partner;
        if (!partner) {
            this.state.card = null;
            return;
        }
        const [card] = await this.orm.call("res.partner", "dealer_lookup_card", [partner[0]]);
        this.state.card = card || null;
    }

    get createLabel() {
        return _t("Create a new client «%s»", this.state.text.trim());
    }

    onInput(ev) {
        this.state.text = ev.target.value;
        this.search();
    }

    async search() {
        const text = this.state.text.trim();
        if (text.length < 3) {
            this.state.results = [];
            this.state.searched = false;
            return;
        }
        this.state.results = await this.orm.call("res.partner", "dealer_lookup", [text]);
        this.state.active = 0;
        this.state.searched = true;
    }

    onKeydown(ev) {
        const count = this.state.results.length;
        if (ev.key === "ArrowDown" && count) {
            this.state.active = (this.state.active + 1) % count;
            ev.preventDefault();
        } else if (ev.key === "ArrowUp" && count) {
            this.state.active = (this.state.active - 1 + count) % count;
            ev.preventDefault();
        } else if (ev.key === "Enter") {
            ev.preventDefault();
            ev.stopPropagation();
            if (count) {
                this.select(this.state.results[this.state.active]);
            } else if (this.state.searched) {
                this.createClient();
            }
        }
    }

    async select(client, vehicle = null) {
        const changes = { [this.props.name]: [client.id, client.name] };
        if (vehicle) {
            changes.vehicle_id = [vehicle.id, `${vehicle.name} ${vehicle.plate}`.trim()];
        } else if (client.vehicles.length === 1) {
            const only = client.vehicles[0];
            changes.vehicle_id = [only.id, `${only.name} ${only.plate}`.trim()];
        }
        await this.props.record.update(changes);
        this.state.card = client;
        this.state.results = [];
        this.state.text = "";
        this.state.searched = false;
    }

    async createClient() {
        const text = this.state.text.trim();
        const looksLikePhone = /^[\d\s()+\-.]{6,}$/.test(text);
        const name = looksLikePhone
            ? this.props.record.data.contact_name || _t("New client %s", text)
            : text;
        const values = { name };
        if (looksLikePhone) {
            values.mobile = text;
        }
        const [id] = await this.orm.create("res.partner", [values]);
        this.notification.add(_t("Client %s created.", name), { type: "success" });
        await this.select({ id, name, vehicles: [], open_tasks: [], phones: [text], email: "" });
    }

    async clear() {
        await this.props.record.update({ [this.props.name]: false, vehicle_id: false });
        this.state.card = null;
    }
}

export const clientLookupField = {
    component: ClientLookupField,
    supportedTypes: ["many2one"],
};

registry.category("fields").add("dealer_client_lookup", clientLookupField);
