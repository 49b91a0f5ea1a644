import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formView } from "@web/views/form/form_view";
import { FormController } from "@web/views/form/form_controller";

const SCREEN_ACTIONS = [
    "action_register_from_screen",
    "action_transfer_from_screen",
    "action_queue_from_screen",
    "action_finish_from_screen",
    "action_callback_from_screen",
];

/**
 * The registration screen: its buttons create the contact and act on it in one
 * server call, so that a refused registration leaves no draft behind (the form's
 * default is to save the record first, then call the button).
 */
export class RegisterFormController extends FormController {
    setup() {
        super.setup();
        this.action = useService("action");
    }

    async beforeExecuteActionButton(clickParams) {
        const record = this.model.root;
        if (!record.isNew || !SCREEN_ACTIONS.includes(clickParams.name)) {
            return super.beforeExecuteActionButton(clickParams);
        }
        if (!(await record.checkValidity({ displayNotification: true }))) {
            return false;
        }
        const changes = record._getChanges();
        delete changes.id;
        const action = await this.orm.call(
            "dealer.traffic",
            "action_create_from_screen",
            [changes, clickParams.name],
            { context: record.context }
        );
        // Saved by the server: forget the local changes, or leaving the screen for
        // the next blank one would save the contact a second time.
        await record.discard();
        await this.action.doAction(action);
        return false;
    }
}

registry.category("views").add("dealer_traffic_register_form", {
    ...formView,
    Controller: RegisterFormController,
});
