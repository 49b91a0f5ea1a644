import { Component, onWillStart, useState } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

/** The employee's own availability, shown to operators who route contacts. */
export class PresenceSystray extends Component {
    static template = "dealer_traffic.PresenceSystray";
    static components = { Dropdown, DropdownItem };
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.options = [
            { value: "available", label: _t("Available"), css: "text-success" },
            { value: "busy", label: _t("Busy"), css: "text-warning" },
            { value: "away", label: _t("Away"), css: "text-danger" },
        ];
        this.state = useState({ presence: "available" });
        onWillStart(async () => {
            const [me] = await this.orm.read("res.users", [user.userId], ["dealer_presence"]);
            this.state.presence = me.dealer_presence || "available";
        });
    }

    get current() {
        return this.options.find((o) => o.value === this.state.presence);
    }

    async set(option) {
        await this.orm.write("res.users", [user.userId], { dealer_presence: option.value });
        this.state.presence = option.value;
    }
}

registry
    .category("systray")
    .add("dealer_traffic.Presence", { Component: PresenceSystray, isDisplayed: () => user.isInternalUser }, { sequence: 40 });
