from odoo import SUPERUSER_ID, fields, models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    dealer_call_id = fields.Many2one(
        "dealer.survey.call",
        string="Survey Call",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    dealer_complaint_ids = fields.One2many(
        "dealer.complaint", "user_input_id", string="Appeals", readonly=True
    )

    def _mark_done(self):
        result = super()._mark_done()
        self.filtered(
            lambda answer: answer.survey_id.dealer_kind and not answer.test_entry
        )._dealer_register()
        return result

    def _dealer_register(self):
        """A dealership survey was answered: its call is closed with the outcome and
        a dissatisfied client — a negative answer or a problem category chosen —
        gets one appeal of the category chosen, linked to the answer, the call and
        the service task. Answering again never makes a second appeal."""
        public = self.env.user._is_public()
        # sudo: the client answering by the link is the public user, and operators
        # have no rights on survey answers nor on registering appeals; what is
        # written is derived from the answers only.
        for answer in self.sudo():
            lines = answer.user_input_line_ids.filtered(lambda line: not line.skipped).sorted(
                lambda line: (
                    line.question_sequence,
                    line.suggested_answer_id.sequence,
                    line.id,
                )
            )
            chosen = lines.suggested_answer_id
            reason = chosen.filtered("dealer_reason_id")[:1].dealer_reason_id
            is_negative = any(choice.dealer_negative for choice in chosen) or bool(reason)
            comment = "\n".join(
                text
                for line in lines
                if line.answer_type in ("text_box", "char_box")
                for text in [(line.value_text_box or line.value_char_box or "").strip()]
                if text
            )
            call = answer.dealer_call_id
            if call:
                call._record_answer(answer, is_negative, comment)
            if not is_negative or answer.dealer_complaint_ids or call.complaint_id:
                continue
            # sudo: see above. Answered by the link, the appeal is registered by the
            # system, not by the public user (its author in the chatter and mails).
            complaints = self.env["dealer.complaint"].sudo()
            if public:
                complaints = complaints.with_user(SUPERUSER_ID)
            complaint = complaints.create(
                answer._dealer_complaint_values(reason, lines, comment, public)
            )
            if call:
                call.complaint_id = complaint

    def _dealer_complaint_values(self, reason, lines, comment, public):
        self.ensure_one()
        call = self.dealer_call_id
        partner = call.partner_id or self.partner_id
        answers = "\n".join(
            f"{question.title}: {', '.join(group.suggested_answer_id.mapped('value'))}"
            for question, group in lines.filtered("suggested_answer_id")
            .grouped("question_id")
            .items()
        )
        description = "\n\n".join(text for text in (comment, answers) if text)
        channel = "dealer_traffic.channel_internet" if public else "dealer_traffic.channel_call"
        return {
            "type_id": self.env.ref("dealer_complaint.type_complaint").id,
            "reason_id": reason.id,
            "source": "survey",
            "survey_call_id": call.id,
            "user_input_id": self.id,
            "task_id": call.task_id.id,
            "partner_id": partner.id,
            "contact_name": partner.name,
            "phone": call.phone or partner.mobile or partner.phone,
            "email": partner.email,
            "vehicle_id": call.vehicle_id.id,
            "company_id": (call.company_id or partner.company_id or self.env.company).id,
            "channel_id": self.env.ref(channel).id,
            "goal_id": self.env.ref("dealer_traffic.goal_service_survey").id,
            "user_id": call.user_id.id,
            "description": description
            or self.env._("Survey «%(survey)s»: negative answer.", survey=self.survey_id.title),
        }
