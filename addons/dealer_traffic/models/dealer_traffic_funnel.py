from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, table_exists


class DealerTraffic(models.Model):
    """The furthest funnel step a contact's tasks reached, kept on the contact so that
    the funnel of a month (tens of thousands of contacts) is read from the contacts
    alone, not by looking up each one's tasks."""

    _inherit = "dealer.traffic"  # pylint: disable=consider-merging-classes-inherited

    funnel_rank = fields.Integer(
        string="Funnel Step",
        compute="_compute_funnel_rank",
        store=True,
        aggregator=None,
        help="Furthest funnel step the contact's tasks reached: 0 none, 1 appointment, "
        "2 visit, 3 deal.",
    )

    def _auto_init(self):
        # On a database with traffic, fill the new column in one statement rather than
        # recomputing every contact through the ORM.
        cr = self.env.cr
        if table_exists(cr, self._table) and not column_exists(cr, self._table, "funnel_rank"):
            create_column(cr, self._table, "funnel_rank", "int4")
            if column_exists(cr, "project_task", "traffic_id") and column_exists(
                cr, "project_task", "dealer_funnel_rank"
            ):
                cr.execute(
                    SQL(
                        """
                        UPDATE dealer_traffic t
                           SET funnel_rank = f.rank
                          FROM (SELECT traffic_id, MAX(COALESCE(dealer_funnel_rank, 0)) AS rank
                                  FROM project_task
                                 WHERE traffic_id IS NOT NULL AND active
                                 GROUP BY traffic_id) f
                         WHERE f.traffic_id = t.id
                        """
                    )
                )
            cr.execute(SQL("UPDATE dealer_traffic SET funnel_rank = 0 WHERE funnel_rank IS NULL"))
        return super()._auto_init()

    @api.depends("task_ids.dealer_funnel_rank")
    def _compute_funnel_rank(self):
        for traffic in self:
            traffic.funnel_rank = max(traffic.task_ids.mapped("dealer_funnel_rank"), default=0)

    def write(self, vals):
        # Like the workflow's fields, it is computed, never written from the client:
        # the funnel report's figures come from it.
        if "funnel_rank" in vals and not self._in_workflow():
            self._refuse_workflow_fields({"funnel_rank"})
        return super().write(vals)
