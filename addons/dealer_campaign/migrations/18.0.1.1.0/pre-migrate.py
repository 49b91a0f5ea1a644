from odoo.tools import SQL


def migrate(cr, version):
    """A call task's planned contact is no longer stored on the task (the contact's
    task is), and the planned contacts lose two indexes a distribution had to write:
    the campaign's (the unique campaign-client index serves) and the employee's on
    contacts not yet distributed (made again, on the distributed ones only); the
    contacts' branch is no longer stored."""
    cr.execute(SQL("ALTER TABLE project_task DROP COLUMN IF EXISTS campaign_contact_id"))
    cr.execute(SQL("DROP INDEX IF EXISTS dealer_campaign_contact__campaign_id_index"))
    cr.execute(SQL("DROP INDEX IF EXISTS dealer_campaign_contact__user_id_index"))
    # The contact's branch is its campaign's, read through it.
    cr.execute(SQL("ALTER TABLE dealer_campaign_contact DROP COLUMN IF EXISTS company_id"))
