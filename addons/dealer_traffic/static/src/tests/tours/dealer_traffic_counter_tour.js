import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

/** The consultant's top bar counter rises, live, when a contact is routed to them. */
registry.category("web_tour.tours").add("dealer_traffic_counter_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Nothing unprocessed yet",
            trigger: ".o_dealer_unprocessed:contains(Unprocessed traffic) .o_dealer_unprocessed_count:contains(0)",
        },
        {
            content: "A waiting contact is assigned to the consultant (as an operator does)",
            trigger: ".o_dealer_unprocessed",
            run: async () => {
                const call = (model, method, args) =>
                    rpc(`/web/dataset/call_kw/${model}/${method}`, {
                        model,
                        method,
                        args,
                        kwargs: {},
                    });
                const ids = await call("dealer.traffic", "search", [
                    [["contact_name", "=", "Живой Счётчик"]],
                ]);
                await call("dealer.traffic", "action_assign", [ids, user.userId]);
            },
        },
        {
            content: "The counter rises without reloading the page",
            trigger: ".o_dealer_unprocessed .o_dealer_unprocessed_count:contains(1)",
        },
        {
            content: "And the employee is told",
            trigger: ".o_notification:contains(Incoming contact):contains(Живой Счётчик)",
        },
        {
            content: "The counter opens my unprocessed traffic",
            trigger: ".o_dealer_unprocessed button",
            run: "click",
        },
        {
            content: "The contact is in my unprocessed traffic",
            trigger: ".o_breadcrumb:contains(My Traffic)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(+7 916 555)",
        },
    ],
});
