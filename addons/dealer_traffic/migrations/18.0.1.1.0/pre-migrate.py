from odoo.tools import SQL


def migrate(cr, version):
    """The journal pivot no longer averages the stored minutes (a contact never taken
    counts 0 there). The view adding the continuation measure was placed after
    them: drop it so that the new journal pivot validates; the module's data
    recreates it."""
    cr.execute(
        SQL(
            """
            DELETE FROM ir_ui_view
             WHERE id IN (SELECT res_id FROM ir_model_data
                           WHERE module = %s AND name = %s AND model = 'ir.ui.view')
            """,
            "dealer_traffic",
            "dealer_traffic_view_pivot_followup",
        )
    )
