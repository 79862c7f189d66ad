"""The read-only funding ledger endpoints: four ways each, internal comments kept internal,
money and findings as the workflow left them, and no way to write."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import APITestCases, make_user
from linli.funding import services
from linli.funding.choices import ApplicationState
from linli.funding.testing import advance, draft, make_actors, open_call

S = ApplicationState


class _Projects:
    """Street A's project carried to construction with a tranche; street B's left as a draft
    with a tranche of its own further along."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.actors = make_actors(cls.tree)
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])
        cls.project_a = advance(
            cls.actors, draft(cls.actors.street, cls.call, "甲街道综合体"), S.IN_CONSTRUCTION
        )
        cls.project_b = advance(
            cls.actors,
            draft(cls.actors.street_b, cls.call, "乙街道综合体"),
            S.IN_CONSTRUCTION,
            street=cls.actors.street_b,
        )
        cls.tranche_a = cls._tranche(cls.project_a, cls.actors.street)
        cls.tranche_b = cls._tranche(cls.project_b, cls.actors.street_b)

    @staticmethod
    def _tranche(project, street):
        return services.tranche_request(
            actor=street,
            milestone=project.milestones.get(),
            amount_cny=Decimal("100000.00"),
            note="开工",
        )


class TestApplicationEndpoint(_Projects, APITestCases.Endpoint):
    basename = "application"

    def in_scope(self):
        return self.project_a

    def out_of_scope(self):
        return self.project_b

    def row(self, user):
        self.client.force_login(user)
        return self.client.get(self.detail_url(self.project_a)).json()

    def test_money_and_findings_are_those_of_the_workflow(self):
        row = self.row(self.permitted)
        approval = self.project_a.subsidy_approval
        self.assertEqual(row["state"], S.IN_CONSTRUCTION)
        self.assertEqual(row["public_status"], self.project_a.public_status)
        self.assertEqual(Decimal(row["subsidy_approval"]["total_cny"]), approval.total_cny)
        self.assertEqual(Decimal(row["ledger"]["approved_cny"]), approval.total_cny)
        self.assertEqual(Decimal(row["ledger"]["released_cny"]), Decimal("0"))
        self.assertEqual(Decimal(row["ledger"]["remaining_cny"]), approval.total_cny)
        self.assertEqual(len(row["functions"]), 3)
        self.assertTrue(row["findings"])
        self.assertTrue(all(finding["source"] for finding in row["findings"]))

    def test_a_draft_has_no_approval_yet(self):
        self.client.force_login(self.actors.street)
        draft_row = self.client.get(
            self.detail_url(draft(self.actors.street, self.call, "新草稿"))
        ).json()
        self.assertEqual(draft_row["state"], S.DRAFT)
        self.assertIsNone(draft_row["subsidy_approval"])
        self.assertIsNone(draft_row["ledger"])

    def test_internal_comments_reach_reviewers_only(self):
        applicant_reviews = self.row(self.permitted)["reviews"]
        self.assertTrue(applicant_reviews)
        self.assertTrue(all("internal_comment" not in review for review in applicant_reviews))
        reviewer = next(iter(self.actors.reviewers.values()))
        reviewer_reviews = self.row(reviewer)["reviews"]
        self.assertIn(
            "符合本部门要求。", {review["internal_comment"] for review in reviewer_reviews}
        )

    def test_filter_by_state(self):
        self.client.force_login(self.actors.district)
        rows = self.client.get(self.list_url(), {"state": S.IN_CONSTRUCTION}).json()["results"]
        self.assertEqual({row["id"] for row in rows}, {self.project_a.pk, self.project_b.pk})
        rows = self.client.get(self.list_url(), {"state": S.DRAFT}).json()["results"]
        self.assertEqual(rows, [])

    def test_writes_are_not_offered(self):
        self.client.force_login(self.actors.city_admin)
        url = self.detail_url(self.project_a)
        for method in (self.client.patch, self.client.put, self.client.delete):
            response = method(url, {"state": S.OPERATING}, content_type="application/json")
            self.assertIn(response.status_code, (403, 405))
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.state, S.IN_CONSTRUCTION)

    def test_residents_and_operators_see_no_projects(self):
        for role in (Role.RESIDENT, Role.OPERATOR):
            self.client.force_login(make_user(self.tree, role, self.tree.city, role))
            self.assertEqual(self.client.get(self.list_url()).status_code, 403)


class TestTrancheEndpoint(_Projects, APITestCases.Endpoint):
    basename = "tranche"

    def in_scope(self):
        return self.tranche_a

    def out_of_scope(self):
        return self.tranche_b

    def test_tranche_names_its_milestone_and_amount(self):
        self.client.force_login(self.permitted)
        row = self.client.get(self.detail_url(self.tranche_a)).json()
        self.assertEqual(row["application"], self.project_a.pk)
        self.assertEqual(row["milestone"], self.tranche_a.milestone.kind)
        self.assertEqual(Decimal(row["amount_cny"]), Decimal("100000.00"))
        self.assertEqual(row["state"], "requested")


class TestCallEndpoint(APITestCases.Endpoint):
    """A call is public to every office that may see calls, so it has no out-of-scope twin:
    a resident (no permission) stands in for the refused case."""

    basename = "call"
    unpermitted_role = Role.RESIDENT

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.call = open_call(make_actors(cls.tree).city_admin, [cls.tree.district])

    def in_scope(self):
        return self.call

    def test_permitted_out_of_scope_is_not_found(self):
        self.client.force_login(self.permitted)
        missing = reverse("api:call-detail", args=[self.call.pk + 1000])
        self.assertEqual(self.client.get(missing).status_code, 404)

    def test_permitted_in_scope(self):
        self.client.force_login(self.permitted)
        row = self.client.get(self.detail_url(self.call)).json()
        self.assertEqual(row["policy_id"], "beijing-2024")
        self.assertEqual(Decimal(row["budget_cny"]), Decimal("100000000"))
        self.assertEqual(row["districts"], [self.tree.district.pk])


def test_schema_lists_the_funding_endpoints(client):
    schema = client.get(reverse("api:schema")).content
    for path in (
        b"/api/v1/funding/calls/",
        b"/api/v1/funding/applications/",
        b"/api/v1/funding/tranches/",
    ):
        assert path in schema
