import { onWillUnmount } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { KanbanController } from "@web/views/kanban/kanban_controller";

/**
 * The waiting queue board, kept live: the server tells the dealership's staff when
 * a walk-in joins or leaves the queue (no contact data in the message), and the
 * board reloads with its user's rights.
 */
export class QueueKanbanController extends KanbanController {
    setup() {
        super.setup();
        this.busService = useService("bus_service");
        let timeout;
        const onQueueChanged = () => {
            // Several changes in one go (a batch assignment) reload the board once.
            clearTimeout(timeout);
            timeout = setTimeout(() => this.reloadQueue(), 300);
        };
        this.busService.subscribe("dealer_traffic/queue", onQueueChanged);
        this.busService.start();
        onWillUnmount(() => {
            clearTimeout(timeout);
            this.busService.unsubscribe("dealer_traffic/queue", onQueueChanged);
        });
    }

    async reloadQueue() {
        // Not while a card is being edited or a dialog of the board is open.
        if (this.model.root.editedRecord) {
            return;
        }
        await this.model.load();
    }
}

registry.category("views").add("dealer_traffic_queue_kanban", {
    ...kanbanView,
    Controller: QueueKanbanController,
});
