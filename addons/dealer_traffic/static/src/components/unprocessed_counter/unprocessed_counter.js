import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

/**
 * «Необработанный трафик: N» in the top bar: the employee's contacts not processed
 * yet, kept current by the server through the bus whenever one of them is
 * registered, taken, processed or handed over.
 */
export class UnprocessedCounter extends Component {
    static template = "dealer_traffic.UnprocessedCounter";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.busService = useService("bus_service");
        this.state = useState({ visible: false, count: 0 });
        const onCount = ({ count }) => (this.state.count = count);
        const onReconnect = () => this.load();
        this.busService.subscribe("dealer_traffic/unprocessed", onCount);
        this.busService.addEventListener("reconnect", onReconnect);
        this.busService.start();
        onWillUnmount(() => {
            this.busService.unsubscribe("dealer_traffic/unprocessed", onCount);
            this.busService.removeEventListener("reconnect", onReconnect);
        });
        onWillStart(() => this.load());
    }

    async load() {
        const counter = await this.orm.silent.call("dealer.traffic", "get_unprocessed_counter");
        Object.assign(this.state, counter);
    }

    openMyTraffic() {
        this.action.doAction("dealer_traffic.dealer_traffic_action_my");
    }
}

registry.category("systray").add(
    "dealer_traffic.UnprocessedCounter",
    { Component: UnprocessedCounter, isDisplayed: () => user.isInternalUser },
    { sequence: 41 }
);
