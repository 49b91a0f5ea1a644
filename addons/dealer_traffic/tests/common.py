from odoo.tests import TransactionCase, new_test_user


class TrafficCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.operator = new_test_user(cls.env, "tr_operator", groups=group % "operator")
        cls.consultant = new_test_user(cls.env, "tr_consultant", groups=group % "consultant")
        cls.consultant2 = new_test_user(cls.env, "tr_consultant2", groups=group % "consultant")
        cls.supervisor = new_test_user(cls.env, "tr_supervisor", groups=group % "supervisor")
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.sales = cls.env.ref("dealer_base.direction_sales")
        cls.goal_repair = cls.env.ref("dealer_traffic.goal_service_repair")
        cls.goal_new_car = cls.env.ref("dealer_traffic.goal_sales_new")
        cls.call = cls.env.ref("dealer_traffic.channel_call")
        cls.visit = cls.env.ref("dealer_traffic.channel_visit")
        cls.client = cls.env["res.partner"].create(
            {"name": "Клиентов Трафик Петрович", "mobile": "+7 916 811 22 33"}
        )
        cls.vehicle = cls.env["dealer.vehicle"].create(
            {"owner_id": cls.client.id, "license_plate": "К811КК77"}
        )

    def _traffic(self, user=None, **values):
        vals = {
            "channel_id": self.call.id,
            "direction_id": self.service.id,
            "goal_id": self.goal_repair.id,
            "partner_id": self.client.id,
        }
        vals.update(values)
        return self.env["dealer.traffic"].with_user(user or self.operator).create(vals)
