"""A campaign in Chromium: a supervisor creates it, adds clients from the system's data,
distributes them as call tasks; a consultant works one call from «My Calls»."""

from odoo.tests import HttpCase, new_test_user, tagged

CAMPAIGN = "Зимний тест-драйв кроссоверов"
COMMENT = "Приедет в субботу с женой"


@tagged("post_install", "-at_install")
class TestCampaignUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.supervisor = new_test_user(
            cls.env,
            "campaign_ui_supervisor",
            groups=group % "supervisor",
            name="Старший Акций",
            lang="en_US",
        )
        cls.caller_a = new_test_user(
            cls.env,
            "campaign_ui_caller_a",
            groups=group % "consultant",
            name="Поляков Игорь",
            lang="en_US",
        )
        cls.caller_b = new_test_user(
            cls.env,
            "campaign_ui_caller_b",
            groups=group % "consultant",
            name="Сардин Эдуард",
            lang="en_US",
        )
        cls.goal = cls.env.ref("dealer_traffic.goal_sales_cold")
        cls.promotion = cls.env["utm.campaign"].create({"name": "Смарт в подарок тур"})
        tag = cls.env["res.partner.category"].create({"name": "Тур акции"})
        Partner = cls.env["res.partner"]
        cls.clients = Partner.create(
            [
                {
                    "name": name,
                    "mobile": mobile,
                    "consent_sms": sms,
                    "category_id": [(6, 0, tag.ids)],
                }
                for name, mobile, sms in (
                    ("Акционов Пётр Ильич", "+7 916 771-00-01", True),
                    ("Акционова Мария Петровна", "+7 916 771-00-02", False),
                    ("Обзвонов Илья Сергеевич", "8 (916) 771-00-03", True),
                )
            ]
        )
        cls.do_not_call = Partner.create(
            {
                "name": "Нетревожин Олег",
                "mobile": "+7 916 771-00-04",
                "do_not_call": True,
                "category_id": [(6, 0, tag.ids)],
            }
        )
        # A company of the tag: left out by «individuals only».
        cls.company = Partner.create(
            {
                "name": "ООО Тур Акции",
                "is_company": True,
                "mobile": "+7 916 771-00-05",
                "category_id": [(6, 0, tag.ids)],
            }
        )

    def test_campaign_from_creation_to_a_worked_call(self):
        self.start_tour("/odoo", "dealer_campaign_tour", login="campaign_ui_supervisor")
        campaign = self.env["dealer.campaign"].search([("name", "=", CAMPAIGN)])
        self.assertEqual(len(campaign), 1)
        self.assertEqual(campaign.goal_id, self.goal)
        self.assertEqual(campaign.channel, "phone")
        self.assertEqual(campaign.utm_campaign_id, self.promotion)
        self.assertEqual(campaign.tasks_per_day, 2)
        self.assertEqual(campaign.user_ids, self.caller_a | self.caller_b)
        self.assertEqual(campaign.state, "running")
        self.assertEqual(campaign.create_uid, self.supervisor)

        # Contacts added: the people of the tag but the one who asked not to be called.
        contacts = campaign.contact_ids
        self.assertEqual(contacts.partner_id, self.clients)
        self.assertEqual(set(contacts.mapped("source")), {"system"})
        self.assertEqual(set(contacts.mapped("state")), {"planned"})

        # Distributed: a call task each, in the sales project, at most two a person a day.
        tasks = contacts.task_id
        self.assertEqual(len(tasks), 3)
        self.assertEqual(tasks.dealer_campaign_id, campaign)
        self.assertEqual(tasks.project_id, self.goal.direction_id.project_id)
        self.assertEqual(contacts.user_id, self.caller_a | self.caller_b)
        for contact in contacts:
            self.assertEqual(contact.task_id.partner_id, contact.partner_id)
            self.assertEqual(contact.task_id.user_ids, contact.user_id)
            self.assertTrue(contact.planned_date)
        per_day = {}
        for contact in contacts:
            key = (contact.user_id, contact.planned_date.date())
            per_day[key] = per_day.get(key, 0) + 1
        self.assertLessEqual(max(per_day.values()), 2)
        mine = contacts.filtered(lambda c: c.user_id == self.caller_a)
        self.assertEqual(len(mine), 2, "the first employee fills the first day")

        # The consultant works one of their calls: informed.
        self.start_tour("/odoo", "dealer_campaign_call_tour", login="campaign_ui_caller_a")
        done = contacts.filtered("outcome")
        self.assertEqual(len(done), 1)
        self.assertIn(done, mine)
        self.assertEqual(done.outcome, "informed")
        self.assertEqual(done.state, "done")
        self.assertEqual(done.outcome_comment, COMMENT)
        self.assertEqual(done.outcome_user_id, self.caller_a)
        self.assertTrue(done.outcome_date)
        self.assertEqual(done.task_id.state, "1_done")
        self.assertEqual(campaign.informed_count, 1)

        # An outgoing contact of the campaign's goal for the client, in the caller's work.
        traffic = self.env["dealer.traffic"].search([("partner_id", "=", done.partner_id.id)])
        self.assertEqual(len(traffic), 1)
        self.assertEqual(traffic.goal_id, self.goal)
        self.assertEqual(traffic.goal_kind, "outgoing")
        self.assertEqual(traffic.direction_id, self.goal.direction_id)
        self.assertEqual(traffic.user_id, self.caller_a)
        self.assertEqual(traffic.dealer_utm_campaign_id, self.promotion)
        self.assertEqual(done.traffic_id, traffic)
        # The other calls are still to be made.
        self.assertFalse((contacts - done).filtered("outcome"))

    def test_work_a_call_from_its_task(self):
        campaign = (
            self.env["dealer.campaign"]
            .with_user(self.supervisor)
            .create(
                {
                    "name": "Звонки с задачи",
                    "goal_id": self.goal.id,
                    "channel": "phone",
                    "use_calendar": False,
                    "user_ids": [(6, 0, self.caller_b.ids)],
                }
            )
        )
        wizard = (
            self.env["dealer.campaign.add.contacts"]
            .with_user(self.supervisor)
            .create(
                {
                    "campaign_id": campaign.id,
                    "source": "clipboard",
                    "text": "8 916 771-00-01\tАкционов\n+7 (916) 771 00 04; Нетревожин\n",
                }
            )
        )
        wizard.action_add()
        self.assertEqual(wizard.added_count, 1)
        self.assertEqual(wizard.excluded_count, 1)
        campaign.with_user(self.supervisor).action_distribute()
        contact = campaign.contact_ids
        self.assertEqual(contact.partner_id, self.clients[0])
        self.assertEqual(contact.user_id, self.caller_b)
        self.assertTrue(contact.task_id)

        self.start_tour("/odoo", "dealer_campaign_task_outcome_tour", login="campaign_ui_caller_b")
        self.assertEqual(contact.outcome, "unreachable")
        self.assertEqual(contact.outcome_comment, "Не берёт трубку")
        self.assertEqual(contact.outcome_user_id, self.caller_b)
        self.assertEqual(contact.task_id.state, "1_done")
        # Only an informed client makes an outgoing contact.
        self.assertFalse(contact.traffic_id)
        self.assertFalse(
            self.env["dealer.traffic"].search([("partner_id", "=", self.clients[0].id)])
        )

    def test_call_sheet(self):
        campaign = self.env["dealer.campaign"].create(
            {
                "name": "Лист обзвона",
                "goal_id": self.goal.id,
                "channel": "phone",
                "tasks_per_day": 2,
                "use_calendar": False,
                "user_ids": [(6, 0, (self.caller_a | self.caller_b).ids)],
            }
        )
        self.env["dealer.campaign.contact"].create(
            [
                {
                    "campaign_id": campaign.id,
                    "partner_id": p.id,
                    "phone": p.mobile,
                    "note": f"Заметка {i}",
                }
                for i, p in enumerate(self.clients)
            ]
        )
        campaign.with_user(self.supervisor).action_distribute()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("dealer_campaign.action_report_call_sheet", campaign.ids)[0]
            .decode()
        )
        # A page per employee and day: both employees, every client with phone and note.
        self.assertEqual(html.count("o_dealer_call_sheet_page"), 2)
        for text in ("Поляков Игорь", "Сардин Эдуард", "Холодный обзвон (салон)", "Заметка 2"):
            self.assertIn(text, html)
        for client in self.clients:
            self.assertIn(client.name, html)
            self.assertIn(client.mobile, html)
        action = campaign.with_user(self.supervisor).action_print_call_sheet()
        self.assertEqual(action["report_name"], "dealer_campaign.report_call_sheet")
