import { registry } from "@web/core/registry";

/**
 * Click-to-dial from the client card: the «Call» button next to the mobile number
 * asks the PBX to call; the second time the PBX refuses and its reason is shown.
 */
registry.category("web_tour.tours").add("dealer_pbx_dial_tour", {
    steps: () => [
        {
            content: "Call the client's mobile from the client card",
            trigger: ".o_field_widget[name=mobile] button.o_dealer_pbx_dial",
            run: "click",
        },
        {
            content: "The PBX accepted: the employee's phone rings first",
            trigger: ".o_notification:contains(Calling +79168112233):contains(extension 101)",
        },
        {
            content: "Call again: this time the PBX refuses",
            trigger: ".o_field_widget[name=mobile] button.o_dealer_pbx_dial",
            run: "click",
        },
        {
            content: "The PBX's own reason is shown",
            trigger: ".modal:contains(refused to call +79168112233):contains(Extension 101 is not registered)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
