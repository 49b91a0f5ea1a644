import { Component, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useRecordObserver } from "@web/model/relational_model/utils";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const PRESENCE_CLASS = { available: "text-success", busy: "text-warning", away: "text-danger" };

/**
 * The responsible employee as a list of buttons, one per candidate, showing their
 * availability and their counts of unprocessed / transferred-today traffic.
 */
export class ResponsiblePickerField extends Component {
    static template = "dealer_traffic.ResponsiblePickerField";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ candidates: [] });
        this.presenceClass = PRESENCE_CLASS;
        useRecordObserver(async (record) => {
            const goal = record.data.goal_id;
            const company = record.data.company_id;
            this.state.candidates = goal
                ? await this.orm.call("dealer.traffic", "get_responsible_candidates", [
                      goal[0],
                      company && company[0],
                  ])
                : [];
        });
    }

    get selectedId() {
        const value = this.props.record.data[this.props.name];
        return value && value[0];
    }

    choose(candidate) {
        if (!this.props.readonly) {
            this.props.record.update({ [this.props.name]: [candidate.id, candidate.name] });
        }
    }

    onKeydown(ev, candidate) {
        if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            this.choose(candidate);
        }
    }
}

export const responsiblePickerField = {
    component: ResponsiblePickerField,
    supportedTypes: ["many2one"],
};

registry.category("fields").add("dealer_responsible_picker", responsiblePickerField);
