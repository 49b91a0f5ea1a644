from odoo.tools import SQL
from odoo.tools.sql import table_exists


def migrate(cr, version):
    """The popups sent move from ``dealer_pbx_call_notice``, whose model is gone, to
    the call's ``popup_sent``: a call ringing during the upgrade tells nobody twice."""
    if not table_exists(cr, "dealer_pbx_call_notice"):
        return
    cr.execute(
        SQL(
            """
            UPDATE dealer_pbx_call call
               SET popup_sent = sent.phases
              FROM (SELECT call_id, jsonb_object_agg(phase, users) AS phases
                      FROM (SELECT call_id, phase, jsonb_agg(user_id ORDER BY user_id) AS users
                              FROM dealer_pbx_call_notice
                             GROUP BY call_id, phase) per_phase
                     GROUP BY call_id) sent
             WHERE call.id = sent.call_id
            """
        )
    )
    cr.execute(SQL("DROP TABLE dealer_pbx_call_notice"))
