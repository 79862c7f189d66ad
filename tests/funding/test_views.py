"""Every funding screen four ways: anonymous → sign-in, no permission → 403, permitted in scope
→ the page or the step done, permitted outside the scope → 404 (or absent from lists)."""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import relativedelta
from django.urls import reverse

from linli.accounts.roles import Department, Role
from linli.core.testing import ViewTestCases, xlsx_rows
from linli.funding import services
from linli.funding.choices import ApplicationState, AttachmentKind, ReviewDecision, TrancheState
from linli.funding.models import Application, Call, ChangeRequest, Tranche
from linli.funding.testing import (
    SAMPLE_FIELDS,
    advance,
    document,
    draft,
    make_actors,
    mix_adding_up_to,
    open_call,
    upload,
)
from linli.registry.testing import make_registry
from tests.funding.base import FundingWorld

S = ApplicationState


class _TwoApplications:
    """One application in street A (in the test users' scope), one in street B (outside)."""

    state = S.DRAFT

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actors = make_actors(cls.tree)
        call = open_call(actors.city_admin, [cls.tree.district])
        cls.app_a = draft(actors.street, call, "甲街道综合体项目", cls.tree.community_a)
        cls.app_b = draft(actors.street_b, call, "乙街道综合体项目", cls.tree.community_b)
        advance(actors, cls.app_a, cls.state)
        advance(actors, cls.app_b, cls.state, street=actors.street_b)

    def in_scope(self):
        return self.app_a

    def out_of_scope(self):
        return self.app_b


class ApplicationListTests(_TwoApplications, ViewTestCases.ListView):
    url_name = "funding:application_list"

    def test_export_applies_the_filters(self):
        self.client.force_login(self.permitted)
        response = self.client.get(reverse(self.url_name), {"export": "xlsx", "state": S.OPERATING})
        self.assertEqual(len(xlsx_rows(response.content)), 1)  # the header only


class ReviewListTests(_TwoApplications, ViewTestCases.ListView):
    url_name = "funding:review_list"
    state = S.JOINT_REVIEW


class ApprovalListTests(_TwoApplications, ViewTestCases.ListView):
    url_name = "funding:approval_list"
    state = S.FUND_APPROVED


class TrancheListTests(_TwoApplications, ViewTestCases.ListView):
    url_name = "funding:tranche_list"
    state = S.IN_CONSTRUCTION

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for application, street in (
            (cls.app_a, "funding-street-a"),
            (cls.app_b, "funding-street-b"),
        ):
            services.tranche_request(
                actor=application.created_by.__class__.objects.get(username=street),
                milestone=application.milestones.get(),
                amount_cny=1000,
            )


class ApplicationDetailTests(_TwoApplications, ViewTestCases.DetailView):
    url_name = "funding:application_detail"


class CallListTests(FundingWorld):
    def test_four_ways(self):
        url = reverse("funding:call_list")
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(url), self.call.title)
        rows = xlsx_rows(self.client.get(url, {"export": "xlsx"}).content)
        self.assertIn(self.call.title, {row[0] for row in rows})
        # A call is city-wide: every office that may see calls sees it (no scope to leave).
        self.client.force_login(self.outsider)
        self.assertContains(self.client.get(url), self.call.title)

    def test_public_notice_needs_no_sign_in(self):
        response = self.client.get(reverse("funding:call_notice", args=[self.call.pk]))
        self.assertContains(response, self.call.notice)


class Actions:
    class Base(FundingWorld):
        """POST one step of the workflow from its screen."""

        action: str

        def url(self):
            return reverse("funding:application_action", args=[self.application.pk, self.action])

        def data(self) -> dict:
            return {}

        def check_done(self):
            raise NotImplementedError

        def test_anonymous_is_sent_to_login(self):
            response = self.client.post(self.url(), self.data())
            self.assertTrue(response["Location"].startswith(reverse("login")))

        def test_without_permission_is_forbidden(self):
            self.client.force_login(self.unpermitted)
            self.assertEqual(self.client.post(self.url(), self.data()).status_code, 403)

        def test_permitted_out_of_scope_is_not_found(self):
            self.client.force_login(self.outsider)
            self.assertEqual(self.client.post(self.url(), self.data()).status_code, 404)
            self.assertEqual(Application.objects.get(pk=self.application.pk).state, self.state)

        def test_permitted_in_scope_does_the_step(self):
            self.client.force_login(self.permitted)
            response = self.client.post(self.url(), self.data())
            self.assertRedirects(response, self.application.get_absolute_url())
            self.check_done()

        def state_now(self):
            return Application.objects.get(pk=self.application.pk).state


class SubmitView(Actions.Base):
    action = "submit"

    def check_done(self):
        self.assertEqual(self.state_now(), S.DISTRICT_REVIEW)


class ReturnView(Actions.Base):
    action, role, state = "return", Role.DISTRICT_OFFICER, S.DISTRICT_REVIEW
    unpermitted_role = Role.STREET_OFFICER

    def data(self):
        return {"comment": "请补充居民意见原件"}

    def check_done(self):
        self.assertEqual(self.state_now(), S.RETURNED)


class ForwardView(Actions.Base):
    action, role, state = "forward", Role.DISTRICT_OFFICER, S.DISTRICT_REVIEW
    unpermitted_role = Role.STREET_OFFICER

    def check_done(self):
        self.assertEqual(self.state_now(), S.DISTRICT_SUBMITTED)


class AssignView(Actions.Base):
    action, role, state = "assign", Role.CITY_ADMIN, S.DISTRICT_SUBMITTED

    def data(self):
        return {"departments": [Department.CIVIL_AFFAIRS, Department.PLANNING, Department.FINANCE]}

    def check_done(self):
        self.assertEqual(self.state_now(), S.JOINT_REVIEW)
        # the five dimensions, and the district's own opinion beside them
        self.assertEqual(self.application.reviews.count(), 6)

    def test_departments_are_ticked_in_check_boxes(self):
        # They were styled as text boxes (form-control) and never showed a tick.
        self.client.force_login(self.permitted)
        page = self.client.get(self.url()).content.decode()
        boxes = re.findall(r"<input[^>]*name=\"departments\"[^>]*>", page)
        self.assertEqual(len(boxes), len(Department.choices))
        for box in boxes:
            self.assertIn('type="checkbox"', box)
            self.assertIn('class="form-check-input"', box)
        self.assertEqual(page.count('<label class="form-check">'), len(Department.choices))
        # Ticked to start with: the fields of the project's services (养老、助餐 → 民政; 托育 →
        # 卫健) and the departments that review every project (规自、住建、财政).
        ticked = sorted(re.search(r'value="(\w+)"', b)[1] for b in boxes if "checked" in b)
        self.assertEqual(ticked, ["civil_affairs", "finance", "health", "housing", "planning"])


class DecideView(Actions.Base):
    action, role, state = "decide", Role.CITY_ADMIN, S.JOINT_REVIEW
    unpermitted_role = Role.CITY_DEPARTMENT

    @classmethod
    def prepare(cls):
        for review in cls.application.reviews.all():
            services.review_record(
                actor=cls.actors.reviewer(review.department),
                review=review,
                decision=ReviewDecision.AGREE,
                comment="",
            )

    def data(self):
        return {"decision": "select", "comment": "纳入年度计划"}

    def check_done(self):
        self.assertEqual(self.state_now(), S.SELECTED)


class FeasibilityView(Actions.Base):
    action, role, state = "feasibility", Role.DISTRICT_OFFICER, S.SELECTED
    unpermitted_role = Role.STREET_OFFICER

    def data(self):
        return {
            "document_no": "区发改〔2026〕3号",
            "approved_on": "2026-05-01",
            "approved_investment_cny": "5000000",
            "approving_body": "区发展和改革委员会",
            "authority_level": "district",
            "procedure": "approval",
            "document": upload("可研批复.pdf"),
        }

    def check_done(self):
        self.assertEqual(self.state_now(), S.FS_APPROVED)
        self.assertEqual(self.application.feasibility.attachment.original_name, "可研批复.pdf")

    def test_a_refused_step_keeps_no_document(self):
        self.client.force_login(self.permitted)
        self.client.post(self.url(), {**self.data(), "approved_on": "not a date"})
        self.client.post(self.url(), {**self.data(), "document": upload("x.pdf", b"not pdf")})
        self.assertEqual(self.state_now(), S.SELECTED)
        self.assertFalse(self.application.attachments.filter(kind="feasibility").exists())

    def test_an_approval_added_as_a_document_serves(self):
        self.client.force_login(self.permitted)
        attach = reverse("funding:application_action", args=[self.application.pk, "attach"])
        self.client.post(attach, {"kind": "feasibility", "file": upload("先传的批复.pdf")})
        form = self.client.get(self.url())
        self.assertContains(form, "先传的批复.pdf")  # named as the one that will be used
        response = self.client.post(self.url(), {**self.data(), "document": ""})
        self.assertRedirects(response, self.application.get_absolute_url())
        self.assertEqual(self.application.feasibility.attachment.original_name, "先传的批复.pdf")


class FundReportView(Actions.Base):
    action, state = "fund_report", S.FS_APPROVED

    def data(self):
        return {f"estimate_{f.pk}": str(f.investment_cny) for f in self.application.functions.all()}

    def check_done(self):
        self.assertEqual(self.application.fund_report.items.count(), 3)


class ReportView(Actions.Base):
    action, role, state = "report", Role.DISTRICT_OFFICER, S.FS_APPROVED
    unpermitted_role = Role.STREET_OFFICER

    @classmethod
    def prepare(cls):
        services.fund_report_save(
            actor=cls.actors.street,
            application=cls.application,
            estimates={f.pk: f.investment_cny for f in cls.application.functions.all()},
            attachment=document(cls.actors.street, cls.application, AttachmentKind.FUND_REPORT),
        )

    def check_done(self):
        self.assertEqual(self.state_now(), S.FUND_APP_SUBMITTED)


class ReportReturnView(Actions.Base):
    action, role, state = "report_return", Role.CITY_ADMIN, S.FUND_APP_SUBMITTED
    unpermitted_role = Role.DISTRICT_OFFICER

    def data(self):
        return {"comment": "概算未达到深度，请按功能细化。"}

    def check_done(self):
        self.assertEqual(self.state_now(), S.FS_APPROVED)
        page = self.client.get(self.application.get_absolute_url())
        self.assertContains(page, "概算未达到深度")


class SubsidyView(Actions.Base):
    action, role, state = "subsidy", Role.CITY_ADMIN, S.FUND_APP_SUBMITTED
    unpermitted_role = Role.DISTRICT_OFFICER

    def data(self):
        return {
            "inclusive_rate": "0.2",
            "rate_reason": "托育收费低于市场价",
            "letter_no": "京发改〔2026〕10号",
            "approved_on": date.today().isoformat(),
        }

    def check_done(self):
        self.assertEqual(self.state_now(), S.FUND_APPROVED)
        approval = self.application.subsidy_approval
        self.assertEqual(approval.approved_on, date.today())
        self.assertEqual(
            approval.land_use_grace_expiry, approval.approved_on + relativedelta(years=5)
        )

    def test_rate_above_the_pack_maximum_is_refused_with_the_field_named(self):
        self.client.force_login(self.permitted)
        response = self.client.post(self.url(), {**self.data(), "inclusive_rate": "0.35"})
        self.assertContains(response, "inclusive_subsidy_rate")
        self.assertEqual(self.state_now(), S.FUND_APP_SUBMITTED)

    def test_form_shows_the_engine_estimate(self):
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(self.url()), "policy-subsidy")


class MilestoneView(Actions.Base):
    action, state = "milestone", S.FUND_APPROVED
    unpermitted_role = Role.DISTRICT_OFFICER

    def data(self):
        return {
            "kind": "start",
            "achieved_on": "2026-07-01",
            "note": "开工令",
            "document": upload("开工令.pdf"),
        }

    def check_done(self):
        self.assertEqual(self.state_now(), S.IN_CONSTRUCTION)


class TrancheRequestView(Actions.Base):
    action, state = "tranche", S.IN_CONSTRUCTION
    unpermitted_role = Role.DISTRICT_OFFICER

    def data(self):
        return {"milestone": self.application.milestones.get().pk, "amount_cny": "300000"}

    def check_done(self):
        self.assertEqual(self.application.tranches.get().state, TrancheState.REQUESTED)


class ChangeView(Actions.Base):
    action, state = "change", S.FUND_APPROVED
    unpermitted_role = Role.DISTRICT_OFFICER

    def data(self):
        rows = services._current_functions(self.application)
        data = {
            "reason": "增加适老化改造",
            "total_investment_cny": "5300000",
            "gross_floor_area_m2": "1000",
            "functions-TOTAL_FORMS": str(len(rows)),
            "functions-INITIAL_FORMS": str(len(rows)),
        }
        for index, row in enumerate(rows):
            for key, value in row.items():
                if value is not None:
                    data[f"functions-{index}-{key}"] = str(value)
        # 121号 三(八): the project's channels, adding up to the new total investment
        for code, amount in mix_adding_up_to(self.application.funding_mix, "5300000").items():
            data[f"mix-{code}"] = str(amount)
        return data

    def check_done(self):
        change = self.application.changes.get()
        self.assertTrue(change.eligible)
        self.assertEqual(change.funding_mix["district_fiscal"], "2350000.00")
        # the 概算 (5 000 000) is not the new total: the report keeps its own mix
        self.assertEqual(change.report_funding_mix, self.application.fund_report.funding_mix)

    def test_the_form_shows_the_mix_and_names_the_field_when_it_does_not_add_up(self):
        self.client.force_login(self.permitted)
        page = self.client.get(self.url()).content.decode()
        self.assertIn('name="mix-district_fiscal"', page)
        self.assertIn('value="2050000.00"', page)  # pre-filled with the current mix
        self.assertIn('name="report_mix-district_fiscal"', page)
        data = {**self.data(), "mix-district_fiscal": "2050000"}  # the old amount
        for language, message in (
            ("zh-hans", "而变更后总投资为 5300000 元：请填写全部资金渠道"),
            ("en", "but the new total investment is 5300000 CNY: record every channel"),
        ):
            page = self.client.post(self.url(), data, HTTP_ACCEPT_LANGUAGE=language)
            self.assertContains(page, message)
        self.assertFalse(self.application.changes.exists())


class AttachView(Actions.Base):
    action = "attach"

    def data(self):
        return {"kind": "safety", "file": upload("安全评估.pdf")}

    def check_done(self):
        self.assertTrue(self.application.attachments.filter(kind="safety").exists())


class TrancheSteps:
    class Base(FundingWorld):
        state = S.IN_CONSTRUCTION
        step: str
        before: str
        after: str

        @classmethod
        def prepare(cls):
            cls.tranche = services.tranche_request(
                actor=cls.actors.street, milestone=cls.application.milestones.get(), amount_cny=1000
            )
            if cls.before in ("verified", "approved"):
                services.tranche_verify(actor=cls.actors.district, tranche=cls.tranche)
            if cls.before == "approved":
                services.tranche_approve(actor=cls.actors.city_admin, tranche=cls.tranche)

        def url(self):
            return reverse("funding:tranche_action", args=[self.tranche.pk, self.step])

        def state_now(self):
            return Tranche.objects.get(pk=self.tranche.pk).state

        def post(self):
            return self.client.post(self.url(), {"note": "进度照片与开工令不符"})

        def test_anonymous_is_sent_to_login(self):
            self.assertTrue(self.post()["Location"].startswith(reverse("login")))

        def test_without_permission_is_forbidden(self):
            self.client.force_login(self.unpermitted)
            self.assertEqual(self.post().status_code, 403)

        def test_permitted_out_of_scope_is_not_found(self):
            self.client.force_login(self.outsider)
            self.assertEqual(self.post().status_code, 404)
            self.assertEqual(self.state_now(), self.before)

        def test_permitted_in_scope_does_the_step(self):
            self.client.force_login(self.permitted)
            self.assertEqual(self.post().status_code, 302)
            self.assertEqual(self.state_now(), self.after)


class TrancheVerifyView(TrancheSteps.Base):
    role, unpermitted_role = Role.DISTRICT_OFFICER, Role.STREET_OFFICER
    step, before, after = "verify", "requested", "verified"


class TrancheApproveView(TrancheSteps.Base):
    role, unpermitted_role = Role.CITY_ADMIN, Role.DISTRICT_OFFICER
    step, before, after = "approve", "verified", "approved"


class TrancheRejectView(TrancheSteps.Base):
    role, unpermitted_role = Role.DISTRICT_OFFICER, Role.STREET_OFFICER
    step, before, after = "reject", "requested", "rejected"


class TrancheReleaseView(TrancheSteps.Base):
    role, unpermitted_role = Role.CITY_ADMIN, Role.DISTRICT_OFFICER
    step, before, after = "release", "approved", "released"

    def test_permitted_in_scope_does_the_step(self):
        super().test_permitted_in_scope_does_the_step()
        self.assertEqual(self.application.ledger.released_cny, 1000)


class ReviewEditView(FundingWorld):
    role, state = Role.CITY_DEPARTMENT, S.JOINT_REVIEW
    unpermitted_role = Role.DISTRICT_OFFICER

    def url(self):
        review = self.application.reviews.filter(department=Department.CIVIL_AFFAIRS).first()
        return reverse("funding:review_edit", args=[review.pk])

    def data(self):
        return {"decision": "conditions", "comment": "托育用房设于首层", "internal_comment": "内部"}

    def test_four_ways(self):
        self.assertTrue(self.client.get(self.url())["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(self.url(), self.data()).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url(), self.data()).status_code, 404)
        self.client.force_login(self.permitted)
        self.assertEqual(self.client.post(self.url(), self.data()).status_code, 302)
        review = self.application.reviews.get(
            department=Department.CIVIL_AFFAIRS, dimension="functions"
        )
        self.assertEqual(review.decision, "conditions")

    def test_no_decision_is_made_for_the_reviewer(self):
        self.client.force_login(self.permitted)
        page = self.client.get(self.url()).content.decode()
        decisions = re.findall(r"<input[^>]*name=\"decision\"[^>]*>", page)
        self.assertEqual(len(decisions), 3)  # agree, with conditions, disagree
        self.assertFalse(any("checked" in d for d in decisions))
        response = self.client.post(self.url(), {"comment": "", "internal_comment": ""})
        self.assertEqual(response.status_code, 200)  # the form again, with its error
        review = self.application.reviews.get(
            department=Department.CIVIL_AFFAIRS, dimension="functions"
        )
        self.assertEqual(review.decision, ReviewDecision.PENDING)

    def test_the_project_is_shown_beside_the_form(self):
        sample = make_registry(self.tree)
        sited = draft(
            self.actors.street, self.call, "有点位的项目", self.tree.community_a, site=sample.site_a
        )
        advance(self.actors, sited, S.JOINT_REVIEW)
        review = sited.reviews.filter(department=Department.CIVIL_AFFAIRS).first()
        self.client.force_login(self.permitted)
        page = self.client.get(reverse("funding:review_edit", args=[review.pk]))
        for shown in (
            "婴幼儿托育",  # its functions
            "400",  # a function's floor area
            "功能数量应不少于3项",  # a policy finding, with its source
            "政策解读 四.1",
            "甲一社区闲置仓库",  # its site
            "record.pdf",  # its documents: the consultation record
            "居民希望增加助餐和日间照料",  # the consultation behind it
        ):
            self.assertContains(page, shown, msg_prefix=shown)

    def test_another_departments_review_is_forbidden(self):
        review = self.application.reviews.filter(department=Department.PLANNING).first()
        self.client.force_login(self.permitted)
        self.assertEqual(
            self.client.post(
                reverse("funding:review_edit", args=[review.pk]), self.data()
            ).status_code,
            403,
        )

    def test_internal_comments_are_hidden_from_the_street(self):
        self.client.force_login(self.permitted)
        self.client.post(self.url(), self.data())
        self.client.force_login(self.actors.street)
        page = self.client.get(self.application.get_absolute_url())
        self.assertContains(page, "托育用房设于首层")
        self.assertNotContains(page, "internal-comment")


class ChangeDecideView(FundingWorld):
    role, state = Role.CITY_ADMIN, S.FUND_APPROVED
    unpermitted_role = Role.DISTRICT_OFFICER

    @classmethod
    def prepare(cls):
        cls.change = services.change_request_create(
            actor=cls.actors.street,
            application=cls.application,
            reason="增加投资",
            total_investment_cny=5200000,
            gross_floor_area_m2=1000,
            funding_mix=mix_adding_up_to(SAMPLE_FIELDS["funding_mix"], 5200000),
        )

    def test_four_ways(self):
        url = reverse("funding:change_decide", args=[self.change.pk, "approve"])
        self.assertTrue(self.client.post(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.permitted)
        response = self.client.post(url, {"letter_no": "京发改（审）〔2026〕9号-补1"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ChangeRequest.objects.get(pk=self.change.pk).state, "approved")

    def test_the_decision_shows_the_mix_before_and_after(self):
        self.client.force_login(self.permitted)
        url = self.application.get_absolute_url()
        for decided in (False, True):  # waiting: the mix now; approved: the one it replaced
            page = self.client.get(url).content.decode()
            row = page[page.index(f'id="change-mix-{self.change.pk}"') :]
            self.assertIn("区级财政投入", row)
            self.assertLess(row.index("2050000.00"), row.index("2250000.00"))  # before → after
            if not decided:
                services.change_request_decide(
                    actor=self.permitted, change=self.change, approve=True, letter_no="补1"
                )


class DistrictBatchView(FundingWorld):
    role, state = Role.DISTRICT_OFFICER, S.DISTRICT_REVIEW
    unpermitted_role = Role.STREET_OFFICER

    def test_four_ways(self):
        url = reverse("funding:district_batch")
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertNotContains(self.client.get(url), self.application.name)
        self.client.post(url, {"application": [self.application.pk]})  # not theirs: ignored
        self.assertEqual(Application.objects.get(pk=self.application.pk).state, self.state)
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(url), self.application.name)
        self.client.post(url, {"application": [self.application.pk]})
        self.assertEqual(
            Application.objects.get(pk=self.application.pk).state, S.DISTRICT_SUBMITTED
        )


class ApplicationFormViews(FundingWorld):
    """Prepare, check live (HTMX) and edit: the street officer's screens."""

    def form_data(self, **changes):
        data = {
            "name": "新建综合体",
            "community": self.tree.community_a.pk,
            "kind": "complex",
            "construction": "stock_conversion",
            "space_source": "convert",
            "gross_floor_area_m2": "1000",
            "total_investment_cny": "5000000",
            "operating_model": "self_run",
            "consulted_residents": "0",
            "consulted_enterprises": "0",
            "functions-TOTAL_FORMS": "3",
            "functions-INITIAL_FORMS": "0",
            "functions-MIN_NUM_FORMS": "0",
            "functions-MAX_NUM_FORMS": "1000",
        }
        for i, (scenario, category) in enumerate(
            [
                ("child_afterschool", "commercial"),
                ("community_meals", "commercial"),
                ("fitness", "basic_public"),
            ]
        ):
            data[f"functions-{i}-scenario"] = scenario
            data[f"functions-{i}-category"] = category
            data[f"functions-{i}-floor_area_m2"] = "300"
        data.update(changes)
        return data

    def test_four_ways_on_create(self):
        url = reverse("funding:application_create", args=[self.call.pk])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.client.post(url, self.form_data(community=self.tree.community_a.pk))
        self.assertFalse(Application.objects.filter(name="新建综合体").exists())
        self.client.force_login(self.permitted)
        response = self.client.post(url, self.form_data())
        created = Application.objects.get(name="新建综合体")
        self.assertRedirects(response, created.get_absolute_url())
        self.assertEqual(created.functions.count(), 3)

    def test_a_missing_field_is_named_beside_it_and_marked_required(self):
        url = reverse("funding:application_create", args=[self.call.pk])
        self.client.force_login(self.permitted)
        self.assertTrue(self.client.get(url).context["form"].fields["operating_model"].required)
        response = self.client.post(url, self.form_data(operating_model=""))
        self.assertEqual(response.status_code, 200)
        self.assertIn("operating_model", response.context["form"].errors)
        self.assertFalse(Application.objects.filter(name="新建综合体").exists())

    def test_live_check_shows_findings_citations_subsidy_and_asks_for_justification(self):
        url = reverse("funding:application_check", args=[self.call.pk])
        self.client.force_login(self.permitted)
        response = self.client.post(url, self.form_data(), HTTP_HX_REQUEST="true")
        self.assertContains(response, "policy-subsidy")
        self.assertContains(response, "政策解读")  # citations
        self.assertContains(response, 'name="override:functions.elderly_or_infant"')
        justified = self.client.post(
            url,
            self.form_data(**{"override:functions.elderly_or_infant": "周边已有养老驿站"}),
        )
        self.assertContains(justified, "周边已有养老驿站")
        self.assertContains(justified, "总投资按功能面积分摊")  # the allocation, in words
        self.assertNotContains(justified, 'id="inclusive-rate-note"')  # no inclusive function
        inclusive = self.form_data(
            **{"functions-0-scenario": "infant_care", "functions-0-category": "inclusive"}
        )
        self.assertContains(
            self.client.post(url, inclusive, HTTP_HX_REQUEST="true"), 'id="inclusive-rate-note"'
        )

    def test_a_registry_site_prefills_the_form(self):
        sample = make_registry(self.tree)
        url = reverse("funding:application_create", args=[self.call.pk])
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(url, {"site": sample.site_a.pk}), sample.site_a.name)
        self.assertNotContains(self.client.get(url, {"site": sample.site_b.pk}), sample.site_b.name)

    def test_edit_is_four_way(self):
        url = reverse("funding:application_edit", args=[self.application.pk])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.permitted)
        self.assertContains(self.client.get(url), self.application.name)


class CallViews(FundingWorld):
    role, unpermitted_role = Role.CITY_ADMIN, Role.DISTRICT_OFFICER

    def test_open_and_close(self):
        url = reverse("funding:call_create")
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.permitted)
        response = self.client.post(
            url,
            {
                "title": "2027年征集",
                "policy_id": "beijing-2024",
                "opens_on": "2027-01-01",
                "closes_on": "2027-03-01",
                "budget_cny": "80000000",
                "districts": [self.tree.district.pk],
                "notice": "请各区组织申报。",
            },
        )
        call = Call.objects.get(title="2027年征集")
        self.assertRedirects(response, call.get_absolute_url())
        close = reverse("funding:call_close", args=[call.pk])
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.post(close).status_code, 403)
        self.client.force_login(self.permitted)
        self.client.post(close)
        self.assertEqual(Call.objects.get(pk=call.pk).state, "closed")


class DocumentViews(FundingWorld):
    state = S.FUND_APPROVED

    def test_the_document_type_is_named_as_such(self):
        # Its label read 设施类型 (facility kind) in Chinese.
        self.client.force_login(self.permitted)
        page = self.client.get(
            reverse("funding:application_action", args=[self.application.pk, "attach"])
        )
        self.assertContains(page, "附件类型")
        self.assertNotContains(page, "设施类型")

    def test_attachment_is_served_only_in_scope(self):
        attachment = self.application.attachments.get(kind="consultation")
        url = reverse("funding:attachment_download", args=[attachment.pk])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.permitted)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))

    def test_letter_is_served_only_in_scope(self):
        url = reverse("funding:approval_letter", args=[self.application.subsidy_approval.pk])
        self.assertTrue(self.client.get(url)["Location"].startswith(reverse("login")))
        self.client.force_login(self.unpermitted)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.permitted)
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")


class NewApplicationButton(FundingWorld):
    def test_the_list_leads_to_the_open_calls_form(self):
        self.client.force_login(self.permitted)
        page = self.client.get(reverse("funding:application_list"))
        self.assertEqual(
            page.context["create_url"],
            reverse("funding:application_create", args=[self.call.pk]),
        )
        self.client.force_login(self.unpermitted)
        page = self.client.get(reverse("funding:application_list"))
        self.assertNotIn("create_url", page.context)
