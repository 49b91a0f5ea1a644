import { registry } from "@web/core/registry";

// The feedback call, its client and the step of the test (tests/test_ui.py).
const STEP = "Принесены извинения, предложена бесплатная мойка";
const CONCLUSION = "Автомобиль перемыт за счёт дилерского центра, клиент доволен";

/**
 * The complaints team's supervisor works a feedback call: processing it registers an
 * appeal of the complaints book (the call's client, vehicle and text carried over), a step
 * with the client's satisfaction is added, the answer is written, approved and the appeal
 * closed with its result.
 */
registry.category("web_tour.tours").add("dealer_complaint_tour", {
    steps: () => [
        {
            content: "Process the feedback call",
            trigger: ".o_form_view button[name=action_open_process]",
            run: "click",
        },
        {
            content: "A feedback call is registered as an appeal",
            trigger: ".modal .o_field_widget[name=complaint_type_id] input",
        },
        {
            trigger: ".modal .o_field_widget[name=complaint_reason_id] input",
            run: "edit Car wash",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Car wash)",
            run: "click",
        },
        {
            trigger: ".modal button[name=action_confirm]:contains(Register the Appeal)",
            run: "click",
        },
        {
            content: "The appeal opens, open, with the call's client",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Open)",
        },
        {
            trigger: ".o_breadcrumb:contains(Мойкин Олег Петрович)",
        },
        {
            content: "Take it into work",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(In Progress)",
        },
        {
            content: "Add a step with the client's satisfaction",
            trigger: ".o_notebook .nav-link:contains(Steps)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=step_ids] .o_selected_row [name=body] textarea",
            run: `edit ${STEP}`,
        },
        {
            trigger: ".o_field_widget[name=step_ids] .o_selected_row [name=satisfaction] select",
            run: 'select "satisfied"',
        },
        {
            content: "Save the step",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: `.o_field_widget[name=step_ids] .o_data_row:not(.o_selected_row):contains(${STEP})`,
        },
        {
            content: "Write the answer",
            trigger: ".o_notebook .nav-link:contains(Conclusion)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=conclusion] textarea",
            run: `edit ${CONCLUSION}`,
        },
        {
            trigger: ".o_form_view button[name=action_request_closing]",
            run: "click",
        },
        {
            content: "A complaint's answer is approved by a supervisor before closing",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Closing)",
        },
        {
            trigger: ".o_form_view .alert-warning:contains(waits for approval)",
        },
        {
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        {
            content: "Approved: the result is chosen, then the appeal is closed",
            trigger: ".o_form_view button[name=action_close]:not(:disabled)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=result] input[data-value=satisfied]",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_close]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Closed)",
        },
        {
            trigger: ".o_notebook .nav-link:contains(Steps)",
            run: "click",
        },
        {
            content: "The step stays in the appeal with the client's satisfaction",
            trigger: `.o_field_widget[name=step_ids] .o_data_row:contains(${STEP}) td[name=satisfaction]:contains(Client Satisfied)`,
        },
    ],
});
