import { Component, onWillStart, onWillUpdateProps, useRef, useState } from "@odoo/owl";
import { AutoComplete } from "@web/core/autocomplete/autocomplete";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

// Text typed into the lookup that can be a phone number (no letters).
const NO_LETTERS = /^[\d\s()+\-.]+$/;

/**
 * Client identification on the registration screen: one input for a phone, a
 * name, a VIN or a plate; the matching clients with their cars and open tasks;
 * arrows + Enter to choose. When nobody is found, Enter (or the button) opens the
 * new-client form: person or company, name, phone, note and the caller's car;
 * a client with the same phone and a similar name is offered instead.
 *
 * Read-only (the consultant's window on the contact form), it shows the client's
 * card: phones, dates of the last contacts, note, cars, open documents.
 * The server builds the cards and decides (res.partner dealer_* methods).
 */
export class ClientLookupField extends Component {
    static template = "dealer_traffic.ClientLookupField";
    static components = { AutoComplete };
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.input = useRef("input");
        this.state = useState({
            text: "",
            results: [],
            active: 0,
            searched: false,
            card: null,
            creating: null,
            duplicates: [],
        });
        this.search = useDebounced(this.search.bind(this), 250);
        onWillStart(() => this.loadCard(this.props));
        onWillUpdateProps((nextProps) => {
            const next = nextProps.record.data[nextProps.name];
            if ((next && next[0]) !== (this.state.card && this.state.card.id)) {
                return this.loadCard(nextProps);
            }
        });
    }

    get partner() {
        return this.props.record.data[this.props.name];
    }

    async loadCard(props) {
        const partner = props.record.data[props.name];
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

    get addPhoneLabel() {
        return _t("Add the number %s to the client", this.state.card.new_phone);
    }

    /** The number the operator typed: the lookup text when it is one, else the
     * contact's phone. */
    get typedPhone() {
        const text = this.state.text.trim();
        if (text && NO_LETTERS.test(text)) {
            return text;
        }
        return this.props.record.data.contact_phone || false;
    }

    onInput(ev) {
        this.state.text = ev.target.value;
        this.state.creating = null;
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
            } else if (this.state.creating) {
                // Asked already: Enter again creates (or shows a near-duplicate).
                this.confirmNewClient();
            } else if (this.state.searched) {
                // Nobody found: ask for the new client's details before creating.
                this.openNewClient();
            }
        }
    }

    async select(client, vehicle = null) {
        const phone = this.typedPhone;
        const [card] = await this.orm.call("res.partner", "dealer_lookup_card", [
            client.id,
            phone,
        ]);
        if (!card) {
            return;
        }
        // Set first: the record update below must not reload the card.
        this.state.card = card;
        const changes = { [this.props.name]: [card.id, card.name] };
        const chosen = vehicle || (card.vehicles.length === 1 ? card.vehicles[0] : null);
        if (chosen) {
            changes.vehicle_id = [chosen.id, `${chosen.name} ${chosen.plate}`.trim()];
        }
        if (phone && "contact_phone" in this.props.record.data) {
            changes.contact_phone = phone;
        }
        await this.props.record.update(changes);
        this.state.results = [];
        this.state.text = "";
        this.state.searched = false;
        this.state.creating = null;
        this.state.duplicates = [];
    }

    // --- new client on the spot -------------------------------------------------
    async openNewClient() {
        const data = this.props.record.data;
        const values = await this.orm.call("res.partner", "dealer_new_client_values", [
            this.state.text.trim(),
            data.contact_name || false,
            data.contact_phone || false,
        ]);
        this.state.duplicates = [];
        this.state.creating = {
            is_company: false,
            note: "",
            model: null,
            year: "",
            ...values,
        };
    }

    cancelNewClient() {
        this.state.creating = null;
        this.state.duplicates = [];
    }

    get modelSources() {
        return [
            {
                options: async (request) => {
                    const found = await this.orm.call("fleet.vehicle.model", "name_search", [], {
                        name: request.trim(),
                        args: [["vehicle_type", "=", "car"]],
                        limit: 8,
                    });
                    // Not "id": the autocomplete numbers its options with that key.
                    return found.map(([modelId, name]) => ({ modelId, label: name }));
                },
            },
        ];
    }

    onModelSelect(option) {
        this.state.creating.model = { id: option.modelId, name: option.label };
    }

    onModelInput({ inputValue }) {
        if (!inputValue) {
            this.state.creating.model = null;
        }
    }

    setCompany(isCompany) {
        this.state.creating.is_company = isCompany;
    }

    onNewClientKeydown(ev) {
        // Enter in the model's autocomplete picks a model; in the note, a new line.
        if (ev.target.closest(".o-autocomplete") || ev.target.tagName === "TEXTAREA") {
            return;
        }
        if (ev.key === "Enter") {
            ev.preventDefault();
            ev.stopPropagation();
            this.confirmNewClient();
        }
    }

    async confirmNewClient(force = false) {
        const creating = this.state.creating;
        const values = {
            is_company: creating.is_company,
            name: creating.name,
            phone: creating.phone,
            note: creating.note,
        };
        if (creating.model || creating.year || creating.identifier) {
            values.vehicle = {
                model_id: creating.model ? creating.model.id : false,
                year: creating.year,
                identifier: creating.identifier,
            };
        }
        const result = await this.orm.call("res.partner", "dealer_create_client", [values, force]);
        if (result.duplicates) {
            this.state.duplicates = result.duplicates;
            return;
        }
        this.notification.add(_t("Client %s created.", result.card.name), { type: "success" });
        const vehicle = result.card.vehicles.find((v) => v.id === result.vehicle_id) || null;
        await this.select(result.card, vehicle);
    }

    // --- the card ----------------------------------------------------------------
    async addPhone() {
        const [card] = await this.orm.call("res.partner", "dealer_add_phone", [
            this.state.card.id,
            this.state.card.new_phone,
        ]);
        this.state.card = card;
        this.notification.add(_t("The number was added to the client."), { type: "success" });
    }

    open(resModel, resId) {
        // In a dialog: leaving the registration screen would save the draft contact.
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: resModel,
            res_id: resId,
            views: [[false, "form"]],
            target: "new",
        });
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
