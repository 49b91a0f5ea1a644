import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { PhoneField, phoneField } from "@web/views/fields/phone/phone_field";

/**
 * A phone number with a «call» button next to it (click-to-dial): the PBX of the
 * branch rings the employee's extension, then calls the number. The button calls
 * ``action_dealer_pbx_dial`` of the form's record (client card, traffic, task) with
 * the number in the context, so that a number typed in a record not saved yet, or
 * in a line of the client's phones, is called as shown.
 */
export class DialPhoneField extends PhoneField {
    static template = "dealer_pbx.DialPhoneField";

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.action = useService("action");
        this.dialing = false;
    }

    get number() {
        return this.props.record.data[this.props.name] || "";
    }

    get dialTitle() {
        return _t("Call %s through the PBX", this.number);
    }

    async dial() {
        if (this.dialing || !this.number) {
            return;
        }
        const root = this.props.record.model.root;
        this.dialing = true;
        try {
            const action = await this.orm.call(
                root.resModel,
                "action_dealer_pbx_dial",
                [root.resId ? [root.resId] : []],
                { context: { dealer_dial_number: this.number } }
            );
            await this.action.doAction(action);
        } finally {
            this.dialing = false;
        }
    }
}

export const dialPhoneField = {
    ...phoneField,
    component: DialPhoneField,
    displayName: _t("Phone with click-to-dial"),
};

registry.category("fields").add("dealer_pbx_phone", dialPhoneField);
