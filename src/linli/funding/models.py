"""The funding workflow (Beijing's five steps, 政策解读 四.2): call → application → district
submission → joint review → approvals → release by construction progress.

States change only through the ``@transition`` methods below, and those are called only from
:mod:`linli.funding.services` (permission, scope, transaction, audit). Money is ``Decimal`` 元.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from linli.core.permissions import RestrictedQuerySet
from linli.core.vocabulary import choices, zh_or_en
from linli.funding.choices import (
    PUBLIC_STATUS,
    ApplicationState,
    AttachmentKind,
    AuthorityLevel,
    CallState,
    ChangeState,
    Dimension,
    Procedure,
    PublicStatus,
    ReviewDecision,
    ReviewParty,
    TrancheState,
)
from linli.policy import PolicyPackError, vocabulary

S = ApplicationState
_NON_NEGATIVE = [MinValueValidator(0)]


def money(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=_NON_NEGATIVE, **kwargs
    )


class Call(FSMModelMixin, models.Model):
    """A call for projects (公开征集), opened by the city programme office."""

    title = models.CharField(_("title"), max_length=200)
    policy_id = models.CharField(_("policy pack"), max_length=64)
    # The pack as the call opened with it (SHA-256 of its files, and the files): applications
    # in the call are evaluated with this version, not with later edits of the pack.
    policy_version = models.CharField(_("policy pack version"), max_length=64, blank=True)
    policy_snapshot = models.JSONField(
        _("policy pack as opened"), default=dict, blank=True, editable=False
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    budget_cny = money(_("budget envelope (CNY)"))
    districts = models.ManyToManyField(
        "registry.Jurisdiction", verbose_name=_("districts invited"), related_name="+"
    )
    notice = models.TextField(_("public notice"))
    state = FSMField(_("state"), default=CallState.OPEN, choices=CallState.choices, protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = None  # a call is public to every office that may see calls

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="call_dates_ordered",
                violation_error_message=_(
                    "Closing date: it must be on or after the opening date; choose a later "
                    "closing date."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:call_detail", args=[self.pk])

    @property
    def policy_title(self) -> str:
        """The pack the call opened with, by its title in the reader's language (its id is a
        code name); the id when the pack cannot be read."""
        from linli.funding.evaluation import call_pack

        try:
            pack = call_pack(self)
        except (PolicyPackError, OSError):
            return self.policy_id
        return zh_or_en(pack.title_zh, pack.title_en)

    @transition(field=state, source=CallState.OPEN, target=CallState.CLOSED)
    def close(self):
        """No more applications; those already in continue."""


class Application(FSMModelMixin, models.Model):
    """A project applying for the city subsidy, prepared by a street (or district) office."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    name = models.CharField(_("project name"), max_length=200)
    jurisdiction = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preparing office"),
    )
    community = models.ForeignKey(
        "registry.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("community served"),
    )
    site = models.ForeignKey(
        "registry.CandidateSite",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("candidate site"),
    )
    location = models.CharField(
        _("location (when not a registry site)"), max_length=200, blank=True
    )
    kind = models.CharField(_("kind"), max_length=16, choices=choices(vocabulary.KINDS))
    construction = models.CharField(
        _("construction"), max_length=24, choices=choices(vocabulary.CONSTRUCTIONS)
    )
    space_source = models.CharField(
        _("space source"), max_length=16, choices=choices(vocabulary.SPACE_SOURCES)
    )
    gross_floor_area_m2 = models.DecimalField(
        _("gross floor area (m²)"), max_digits=10, decimal_places=2, validators=_NON_NEGATIVE
    )
    resident_activity_area_m2 = models.DecimalField(
        _("resident activity area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_NON_NEGATIVE,
    )
    total_investment_cny = money(_("total investment (CNY)"))
    operating_model = models.CharField(
        _("operating model"), max_length=32, choices=choices(vocabulary.OPERATING_MODELS)
    )
    operator = models.ForeignKey(
        "registry.Operator",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("operator"),
    )
    # 121号 三(十): a government-built facility may keep its land use for five years.
    government_built = models.BooleanField(_("built by the government (政府建设)"), default=False)
    # 保本微利 (NAT-11, BJ-08): the price plan shows its cost basis and a reasonable profit.
    price_cost_basis = models.TextField(_("inclusive price plan: cost basis"), blank=True)
    price_profit_rate = models.DecimalField(
        _("reasonable profit rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    price_schedule = models.TextField(_("inclusive prices"), blank=True)
    # 征询周边居民及辖区企业意见 (四.2 二): mandatory before the district submits.
    consulted_residents = models.PositiveIntegerField(_("residents consulted"), default=0)
    consulted_enterprises = models.PositiveIntegerField(_("enterprises consulted"), default=0)
    consultation_opinions = models.TextField(_("main opinions"), blank=True)
    safety_assessment = models.TextField(_("safety assessment"), blank=True)
    planning_evidence = models.JSONField(_("planning evidence"), default=dict, blank=True)
    # 原则上 exceptions: [{"rule", "reason", "decision", "decided_by", "decided_at", "comment"}];
    # the decision is the 功能设置 reviewer's (ExceptionDecision).
    overrides = models.JSONField(_("justifications for overridden rules"), default=list, blank=True)
    # 121号 三(八): {channel code: amount in CNY as a decimal string}; sums to the investment.
    funding_mix = models.JSONField(_("funding mix"), default=dict, blank=True)
    # A project carried from the reserve, or revised after a rejection, into a later call.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="carried_into",
        null=True,
        blank=True,
        verbose_name=_("carried from"),
    )
    evaluation = models.JSONField(_("policy evaluation"), default=dict, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True)
    # 投入运营: the registry facility the project became (both ways: facility.funded_project).
    facility = models.OneToOneField(
        "registry.Facility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_project",
        verbose_name=_("facility in operation"),
    )
    return_comment = models.TextField(_("comments on return"), blank=True)
    decision_comment = models.TextField(_("city decision comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "jurisdiction__path"

    class Meta:
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:application_detail", args=[self.pk])

    @property
    def public_status(self) -> str:
        return PUBLIC_STATUS[self.state]

    def get_public_status_display(self) -> str:
        return PublicStatus(self.public_status).label

    # --- transitions (called only from services) ---------------------------------------

    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.DISTRICT_REVIEW)
    def submit_to_district(self):
        """The street hands the application to its district."""

    @transition(field=state, source=S.DISTRICT_REVIEW, target=S.RETURNED)
    def return_for_revision(self):
        """The district sends it back to the street with comments."""

    @transition(field=state, source=S.JOINT_REVIEW, target=S.RETURNED)
    def return_after_review(self):
        """The city sends it back after the joint review, with comments."""

    @transition(field=state, source=S.DISTRICT_REVIEW, target=S.DISTRICT_SUBMITTED)
    def submit_to_city(self):
        """组织申报: the district reports the application to the city."""

    @transition(field=state, source=S.DISTRICT_SUBMITTED, target=S.JOINT_REVIEW)
    def start_joint_review(self):
        """联合审查: departments are assigned."""

    @transition(field=state, source=S.JOINT_REVIEW, target=S.SELECTED)
    def select(self):
        """统筹确定项目."""

    @transition(field=state, source=S.JOINT_REVIEW, target=S.REJECTED)
    def reject(self):
        """Not selected (only after the joint review)."""

    @transition(field=state, source=[S.DISTRICT_REVIEW, S.JOINT_REVIEW], target=S.RESERVE)
    def hold_in_reserve(self):
        """储备: held back by the district, or passed review but not funded this round."""

    @transition(field=state, source=[S.RESERVE, S.REJECTED], target=S.CARRIED)
    def carry_forward(self):
        """A copy goes into a later call; this one stays as the record of the earlier round."""

    @transition(field=state, source=S.SELECTED, target=S.FS_APPROVED)
    def approve_feasibility(self):
        """可研批复 recorded by whoever holds the approving authority."""

    @transition(field=state, source=S.FS_APPROVED, target=S.FUND_APP_SUBMITTED)
    def report_fund_application(self):
        """The district reports the 资金申请报告 up to the city."""

    @transition(field=state, source=S.FUND_APP_SUBMITTED, target=S.FS_APPROVED)
    def return_fund_report(self):
        """The city sends the 资金申请报告 back (e.g. not at 概算 depth) to be revised."""

    @transition(field=state, source=S.FUND_APP_SUBMITTED, target=S.FUND_APPROVED)
    def approve_subsidy(self):
        """资金审批: the city approves the fund application report."""

    @transition(field=state, source=S.FUND_APPROVED, target=S.IN_CONSTRUCTION)
    def start_construction(self):
        """开工 recorded."""

    @transition(field=state, source=S.IN_CONSTRUCTION, target=S.OPERATING)
    def start_operation(self):
        """投入运营 recorded."""


class ApplicationFunction(models.Model):
    """One service function of the project: scenario, declared category, area, money, capacity."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="functions")
    scenario = models.CharField(_("scenario"), max_length=32, choices=choices(vocabulary.SCENARIOS))
    category = models.CharField(
        _("category"), max_length=16, choices=choices(vocabulary.CATEGORIES)
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=2, validators=_NON_NEGATIVE
    )
    investment_cny = money(_("investment (CNY)"), null=True, blank=True)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    nursing_beds = models.PositiveIntegerField(_("nursing beds"), null=True, blank=True)
    infant_slots = models.PositiveIntegerField(_("infant slots"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("application function")
        verbose_name_plural = _("application functions")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()} · {self.get_category_display()}"


class Attachment(models.Model):
    """A document kept under a generated name and served only through an authorised view."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("funding:attachment_download", args=[self.pk])


class Review(models.Model):
    """One department's decision on one dimension of the joint review (联合审查)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    department = models.CharField(_("department"), max_length=32, choices=ReviewParty.choices)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    decision = models.CharField(
        _("decision"), max_length=16, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    comment = models.TextField(_("comment (shown to the applicant)"), blank=True)
    internal_comment = models.TextField(_("internal comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "department", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "department", "dimension"],
                name="review_unique",
                violation_error_message=_(
                    "This department has already been asked to review this dimension of the "
                    "project."
                ),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.application} · {self.get_department_display()} · {self.get_dimension_display()}"
        )


class FeasibilityApproval(models.Model):
    """可研批复, recorded by whoever holds the approving authority (按权限履行项目审批职能)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="feasibility"
    )
    document_no = models.CharField(_("approval document number"), max_length=100)
    approved_on = models.DateField(_("approved on"))
    approved_investment_cny = money(_("approved investment (CNY)"))
    approving_body = models.CharField(_("approving body"), max_length=100, blank=True)
    authority_level = models.CharField(
        _("approving level"),
        max_length=16,
        choices=AuthorityLevel.choices,
        default=AuthorityLevel.DISTRICT,
    )
    procedure = models.CharField(
        _("procedure"), max_length=16, choices=Procedure.choices, default=Procedure.APPROVAL
    )
    # Why the approved investment lies far from the application's (the pack's threshold).
    deviation_reason = models.TextField(_("reason for the difference"), blank=True)
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("feasibility study approval")
        verbose_name_plural = _("feasibility study approvals")

    def __str__(self) -> str:
        return self.document_no


class FundReport(models.Model):
    """资金申请报告 at 概算 depth, investment itemised per function."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="fund_report"
    )
    total_cny = money(_("estimated total (概算, CNY)"))
    funding_mix = models.JSONField(_("funding mix"), default=dict, blank=True)
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("fund application report")
        verbose_name_plural = _("fund application reports")

    def __str__(self) -> str:
        return f"{self.application} · {self.total_cny}"


class FundReportItem(models.Model):
    report = models.ForeignKey(FundReport, on_delete=models.CASCADE, related_name="items")
    function = models.ForeignKey(ApplicationFunction, on_delete=models.CASCADE, related_name="+")
    estimate_cny = money(_("estimate (CNY)"))

    class Meta:
        ordering = ["report", "function"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "function"],
                name="fund_report_item_unique",
                violation_error_message=_(
                    "This function already has an estimate in the report; change that estimate "
                    "instead."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.function}: {self.estimate_cny}"


class SubsidyApproval(models.Model):
    """资金申请报告批复: the subsidy computed by the policy engine, the inclusive rate set
    within the pack's limit with a reason, and the land-use grace expiry (121号 三(十))."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="subsidy_approval"
    )
    letter_no = models.CharField(_("approval letter number"), max_length=100)
    approved_on = models.DateField(_("approved on"))
    inclusive_rate = models.DecimalField(
        _("inclusive subsidy rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    rate_reason = models.TextField(_("reason for the rate"))
    basic_public_cny = money(_("basic public subsidy (CNY)"))
    inclusive_cny = money(_("inclusive subsidy (CNY)"))
    total_cny = money(_("approved subsidy (CNY)"))
    allocation = models.CharField(_("allocation"), max_length=32)
    evaluation = models.JSONField(_("policy evaluation"))
    # None when 121号 三(十) does not apply (neither government-built nor a conversion).
    land_use_grace_expiry = models.DateField(_("land-use grace expiry"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("subsidy approval")
        verbose_name_plural = _("subsidy approvals")
        ordering = ["-approved_on", "-pk"]

    def __str__(self) -> str:
        return self.letter_no

    @property
    def inclusive_rate_percent(self) -> Decimal:
        """The rate as people write it: 25 for 0.2500."""
        return (self.inclusive_rate * 100).normalize()


class Ledger(models.Model):
    """Money per project: what the city approved and what it has released.

    ``released_cny ≤ approved_cny`` is a database constraint; releases lock this row
    (``select_for_update``) so concurrent releases cannot overtake each other.
    """

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="ledger")
    approved_cny = money(_("approved (CNY)"))
    released_cny = money(_("released (CNY)"), default=Decimal("0.00"))

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("project ledger")
        verbose_name_plural = _("project ledgers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(released_cny__lte=models.F("approved_cny")),
                name="ledger_released_within_approved",
                violation_error_message=_(
                    "Amount: the money released would exceed the amount approved; request no "
                    "more than what remains."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(released_cny__gte=0),
                name="ledger_released_non_negative",
                violation_error_message=_("Amount: the money released cannot be less than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.released_cny} / {self.approved_cny}"

    @property
    def remaining_cny(self) -> Decimal:
        return self.approved_cny - self.released_cny


class Milestone(models.Model):
    """A construction milestone with its evidence; tranches are tied to milestones."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="milestones"
    )
    # A code of the call's pack ``[release]`` milestones (Beijing's: MilestoneKind).
    kind = models.CharField(_("milestone"), max_length=32)
    achieved_on = models.DateField(_("achieved on"))
    note = models.TextField(_("note"), blank=True)
    evidence = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["application", "achieved_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                name="milestone_unique",
                violation_error_message=_(
                    "This project already has this milestone; edit the existing one."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()}"

    def get_kind_display(self) -> str:
        """The milestone's name as the call's pack gives it, in the active language."""
        from linli.funding.progress import milestone_name

        return milestone_name(self.application.call, self.kind)


class Tranche(FSMModelMixin, models.Model):
    """A release of money tied to a milestone: requested → verified (district) → approved →
    released (city)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tranches")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("milestone")
    )
    amount_cny = money(_("amount (CNY)"))
    state = FSMField(
        _("state"), default=TrancheState.REQUESTED, choices=TrancheState.choices, protected=True
    )
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["application", "requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cny__gt=0),
                name="tranche_positive",
                violation_error_message=_("Amount: enter an amount greater than zero."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.amount_cny}"

    @transition(field=state, source=TrancheState.REQUESTED, target=TrancheState.VERIFIED)
    def verify(self):
        """The district confirms the progress."""

    @transition(field=state, source=TrancheState.VERIFIED, target=TrancheState.APPROVED)
    def approve(self):
        """The city approves the release."""

    @transition(field=state, source=TrancheState.APPROVED, target=TrancheState.RELEASED)
    def release(self):
        """The city releases the money (下达)."""

    @transition(
        field=state,
        source=[TrancheState.REQUESTED, TrancheState.VERIFIED, TrancheState.APPROVED],
        target=TrancheState.REJECTED,
    )
    def reject(self):
        """Refused at any step before release."""


class ChangeRequest(FSMModelMixin, models.Model):
    """A change after approval: functions, categories, areas and the itemised 概算; the policy
    check runs again with the approved inclusive rate, and an approved change recomputes the
    subsidy, moves the ledger and issues a 补充批复."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="changes")
    reason = models.TextField(_("reason"))
    total_investment_cny = money(_("new total investment (CNY)"))
    gross_floor_area_m2 = models.DecimalField(
        _("new gross floor area (m²)"), max_digits=10, decimal_places=2, validators=_NON_NEGATIVE
    )
    # The project's functions as changed: [{scenario, category, floor_area_m2, estimate_cny,
    # beds, nursing_beds, infant_slots, seats}] (amounts and areas as decimal strings); empty
    # when the change touches only the totals.
    functions = models.JSONField(_("functions as changed"), default=list, blank=True)
    # 121号 三(八) after the change, by channel: the project's (adding up to the new total
    # investment) and the 资金申请报告's (adding up to the changed 概算 total; the same mix
    # when the two totals are equal).
    funding_mix = models.JSONField(_("funding mix as changed"), default=dict, blank=True)
    report_funding_mix = models.JSONField(
        _("fund application report's funding mix as changed"), default=dict, blank=True
    )
    subsidy_cny = money(_("subsidy as recomputed (CNY)"), null=True, blank=True)
    evaluation = models.JSONField(_("policy evaluation"), default=dict, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    state = FSMField(
        _("state"), default=ChangeState.REQUESTED, choices=ChangeState.choices, protected=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} · {self.reason[:40]}"

    def mixes_before(self) -> tuple[dict, dict] | None:
        """The project's and the report's funding mix this change replaces (or would replace,
        while it waits); unknown for a refused change."""
        if self.state == ChangeState.APPROVED:
            supplement = self.supplementary_approval
            return supplement.previous_funding_mix, supplement.previous_report_funding_mix
        if self.state == ChangeState.REQUESTED:
            report = getattr(self.application, "fund_report", None)
            return self.application.funding_mix, report.funding_mix if report else {}
        return None

    @transition(field=state, source=ChangeState.REQUESTED, target=ChangeState.APPROVED)
    def approve(self):
        """The city accepts the change."""

    @transition(field=state, source=ChangeState.REQUESTED, target=ChangeState.REJECTED)
    def reject(self):
        """The city refuses the change."""


class SupplementaryApproval(models.Model):
    """补充批复: the amended approval a change issues, referring to the first letter."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="supplementary_approvals"
    )
    change = models.OneToOneField(
        ChangeRequest, on_delete=models.PROTECT, related_name="supplementary_approval"
    )
    original = models.ForeignKey(
        SubsidyApproval, on_delete=models.PROTECT, related_name="supplements"
    )
    letter_no = models.CharField(_("approval letter number"), max_length=100)
    approved_on = models.DateField(_("approved on"))
    previous_total_cny = money(_("subsidy before the change (CNY)"))
    # The funding mixes the change replaced (the change holds the new ones).
    previous_funding_mix = models.JSONField(
        _("funding mix before the change"), default=dict, blank=True
    )
    previous_report_funding_mix = models.JSONField(
        _("fund application report's funding mix before the change"), default=dict, blank=True
    )
    basic_public_cny = money(_("basic public subsidy (CNY)"))
    inclusive_cny = money(_("inclusive subsidy (CNY)"))
    total_cny = money(_("approved subsidy (CNY)"))
    evaluation = models.JSONField(_("policy evaluation"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_path = "application__jurisdiction__path"

    class Meta:
        verbose_name = _("supplementary approval (补充批复)")
        verbose_name_plural = _("supplementary approvals (补充批复)")
        ordering = ["application", "approved_on", "pk"]

    def __str__(self) -> str:
        return self.letter_no


class Notification(models.Model):
    """An in-app message to one user about a step of the workflow."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_notifications"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="notifications", null=True
    )
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path = None  # a notification is read by its recipient only (see selectors)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message
