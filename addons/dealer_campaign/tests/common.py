from datetime import date

from odoo.tests import TransactionCase, new_test_user


class CampaignCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.supervisor = new_test_user(cls.env, "cp_supervisor", groups=group % "supervisor")
        cls.caller_a = new_test_user(
            cls.env, "cp_caller_a", groups=group % "consultant", name="Поляков И.С."
        )
        cls.caller_b = new_test_user(
            cls.env, "cp_caller_b", groups=group % "consultant", name="Сардин Э.В."
        )
        cls.env["res.partner.category"].search([]).ids  # noqa: B018 - warm the cache
        cls.tag = cls.env["res.partner.category"].create({"name": "Акция зима"})
        Partner = cls.env["res.partner"]
        cls.clients = Partner.create(
            [
                {
                    "name": f"Клиент Акции {i}",
                    "mobile": f"+7 916 600-{i // 100:02d}-{i % 100:02d}",
                    "consent_sms": i % 2 == 0,
                    "do_not_call": i == 3,
                    "category_id": [(6, 0, cls.tag.ids)],
                }
                for i in range(10)
            ]
        )
        cls.company_client = Partner.create(
            {
                "name": "ООО Акция",
                "is_company": True,
                "mobile": "+79166009999",
                "category_id": [(6, 0, cls.tag.ids)],
            }
        )
        cls.campaign = cls.env["dealer.campaign"].create(
            {
                "name": "Приглашение в дилерский центр",
                "goal_id": cls.env.ref("dealer_traffic.goal_sales_cold").id,
                "channel": "phone",
                "tasks_per_day": 3,
                "use_calendar": False,
                "date_start": date(2026, 12, 7),
                "user_ids": [(6, 0, (cls.caller_a | cls.caller_b).ids)],
            }
        )

    def _wizard(self, campaign=None, **values):
        return (
            self.env["dealer.campaign.add.contacts"]
            .with_user(self.supervisor)
            .create({"campaign_id": (campaign or self.campaign).id, **values})
        )
