from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignAccess(CampaignCase):
    def test_supervisors_run_campaigns_consultants_only_read_them(self):
        with self.assertRaises(AccessError):
            self.env["dealer.campaign"].with_user(self.caller_a).create(
                {"name": "Своя акция", "goal_id": self.campaign.goal_id.id}
            )
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.caller_a).write({"tasks_per_day": 100})
        with self.assertRaises(UserError):
            self.campaign.with_user(self.caller_a).action_start()
        self.campaign.with_user(self.supervisor).action_start()
        self.assertEqual(self.campaign.state, "running")

    def test_other_branches_do_not_see_the_campaign(self):
        branch = self.env["res.company"].create({"name": "Филиал Север"})
        stranger = new_test_user(
            self.env,
            "cp_supervisor_north",
            groups="dealer_base.group_dealer_supervisor",
            company_id=branch.id,
            company_ids=[(6, 0, branch.ids)],
        )
        self.assertFalse(
            self.env["dealer.campaign"].with_user(stranger).search([("id", "=", self.campaign.id)])
        )

    def test_outcome_fields_are_written_by_the_action_only(self):
        self._wizard(category_ids=[(6, 0, self.tag.ids)], partner_type="person").action_add()
        contact = self.campaign.contact_ids[0]
        with self.assertRaises(AccessError):
            contact.with_user(self.caller_a).write({"outcome": "informed"})
