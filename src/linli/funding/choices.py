"""The funding workflow's states and fixed lists (Beijing 政策解读 四.2; RULES.md §3.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.accounts.roles import Department


class CallState(models.TextChoices):
    OPEN = "open", _("Open (征集中)")
    CLOSED = "closed", _("Closed")


class ApplicationState(models.TextChoices):
    """Internal states; applicants and the public see :class:`PublicStatus` instead."""

    DRAFT = "draft", _("Draft")
    DISTRICT_REVIEW = "district_review", _("With the district")
    RETURNED = "returned", _("Returned for revision")
    DISTRICT_SUBMITTED = "district_submitted", _("Submitted to the city (组织申报)")
    JOINT_REVIEW = "joint_review", _("In joint review (联合审查)")
    SELECTED = "selected", _("Selected")
    REJECTED = "rejected", _("Not selected")
    FS_APPROVED = "fs_approved", _("Feasibility study approved (可研批复)")
    FUND_APP_SUBMITTED = "fund_app_submitted", _("Fund application reported to the city")
    FUND_APPROVED = "fund_approved", _("Subsidy approved (资金审批)")
    IN_CONSTRUCTION = "in_construction", _("Under construction")
    OPERATING = "operating", _("In operation")
    # 统筹全区项目申报、储备情况 (四.2 四): passed review but not funded this round, or held back
    # by the district; a reserve (or rejected) project is carried into a later call as a copy.
    RESERVE = "reserve", _("In the district's reserve (储备)")
    CARRIED = "carried", _("Carried into a later call")


class PublicStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    UNDER_REVIEW = "under_review", _("Under review")
    SELECTED = "selected", _("Selected for funding")
    NOT_SELECTED = "not_selected", _("Not selected")
    FUNDED = "funded", _("Funded")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATING = "operating", _("In operation")
    RESERVE = "reserve", _("In reserve")
    CARRIED = "carried", _("Moved to a later call")


S = ApplicationState
PUBLIC_STATUS: dict[str, str] = {
    S.DRAFT: PublicStatus.PREPARING,
    S.DISTRICT_REVIEW: PublicStatus.PREPARING,
    S.RETURNED: PublicStatus.PREPARING,
    S.DISTRICT_SUBMITTED: PublicStatus.UNDER_REVIEW,
    S.JOINT_REVIEW: PublicStatus.UNDER_REVIEW,
    S.SELECTED: PublicStatus.SELECTED,
    S.REJECTED: PublicStatus.NOT_SELECTED,
    S.FS_APPROVED: PublicStatus.SELECTED,
    S.FUND_APP_SUBMITTED: PublicStatus.SELECTED,
    S.FUND_APPROVED: PublicStatus.FUNDED,
    S.IN_CONSTRUCTION: PublicStatus.UNDER_CONSTRUCTION,
    S.OPERATING: PublicStatus.OPERATING,
    S.RESERVE: PublicStatus.RESERVE,
    S.CARRIED: PublicStatus.CARRIED,
}


class Dimension(models.TextChoices):
    """The five fields of the joint review (联合审查)."""

    FUNCTIONS = "functions", _("Functions (功能设置)")
    SITING = "siting", _("Siting (规划选址)")
    CONSTRUCTION = "construction", _("Construction (建设方式)")
    OPERATION = "operation", _("Operation (运营管理)")
    FUNDING = "funding", _("Funding (资金支持)")
    # The district's own opinion on its project, across the five fields (四.2 三: 会同…各区).
    OVERALL = "overall", _("All five fields (district opinion)")


# The five fields of 四.2 三 (the district's overall opinion is a sixth voice, not a field).
FIELDS = (
    Dimension.FUNCTIONS,
    Dimension.SITING,
    Dimension.CONSTRUCTION,
    Dimension.OPERATION,
    Dimension.FUNDING,
)

# The district as a participant of the joint review, beside the city departments.
DISTRICT_PARTY = "district"


class ReviewParty(models.TextChoices):
    """Who takes part in the joint review: the city departments and the district."""

    CIVIL_AFFAIRS = Department.CIVIL_AFFAIRS.value, Department.CIVIL_AFFAIRS.label
    HEALTH = Department.HEALTH.value, Department.HEALTH.label
    EDUCATION = Department.EDUCATION.value, Department.EDUCATION.label
    SPORTS = Department.SPORTS.value, Department.SPORTS.label
    CULTURE_TOURISM = Department.CULTURE_TOURISM.value, Department.CULTURE_TOURISM.label
    PLANNING = Department.PLANNING.value, Department.PLANNING.label
    HOUSING = Department.HOUSING.value, Department.HOUSING.label
    FINANCE = Department.FINANCE.value, Department.FINANCE.label
    DISTRICT = DISTRICT_PARTY, _("District development and reform office")


# The dimensions each department reviews: its own field.
DEPARTMENT_DIMENSIONS: dict[str, tuple[str, ...]] = {
    Department.CIVIL_AFFAIRS: (Dimension.FUNCTIONS, Dimension.OPERATION),
    Department.HEALTH: (Dimension.FUNCTIONS, Dimension.OPERATION),
    Department.EDUCATION: (Dimension.FUNCTIONS, Dimension.OPERATION),
    Department.SPORTS: (Dimension.FUNCTIONS,),
    Department.CULTURE_TOURISM: (Dimension.FUNCTIONS,),
    Department.PLANNING: (Dimension.SITING, Dimension.CONSTRUCTION),
    Department.HOUSING: (Dimension.CONSTRUCTION, Dimension.SITING),
    Department.FINANCE: (Dimension.FUNDING,),
}


# The department in whose field each service scenario lies; 规划自然资源 and 住房城乡建设 review
# every project's siting and construction, 财政 its funding.
SCENARIO_DEPARTMENTS: dict[str, str] = {
    "elderly_care": Department.CIVIL_AFFAIRS,
    "community_meals": Department.CIVIL_AFFAIRS,
    "infant_care": Department.HEALTH,
    "health": Department.HEALTH,
    "child_afterschool": Department.EDUCATION,
    "fitness": Department.SPORTS,
    "culture_leisure": Department.CULTURE_TOURISM,
}
EVERY_PROJECT_DEPARTMENTS = (Department.PLANNING, Department.HOUSING, Department.FINANCE)


def suggested_departments(scenarios) -> list[str]:
    """The departments a project with these scenarios would be sent to, covering the five
    dimensions (民政 reviews 运营管理 when no field department of the project does)."""
    fields = {SCENARIO_DEPARTMENTS[s] for s in scenarios if s in SCENARIO_DEPARTMENTS}
    chosen = fields | set(EVERY_PROJECT_DEPARTMENTS)
    covered = {d for department in chosen for d in DEPARTMENT_DIMENSIONS[department]}
    if not set(FIELDS) <= covered:
        chosen.add(Department.CIVIL_AFFAIRS)
    return [d for d in Department.values if d in chosen]


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    AGREE = "agree", _("Agree")
    AGREE_WITH_CONDITIONS = "conditions", _("Agree with conditions")
    DISAGREE = "disagree", _("Disagree")


class MilestoneKind(models.TextChoices):
    """Beijing's milestones (the shipped packs' ``[release]``); a city's pack may name others."""

    START = "start", _("Construction started (开工)")
    STRUCTURE = "structure", _("Main structure completed (主体完工)")
    ACCEPTANCE = "acceptance", _("Completion acceptance (竣工验收)")
    OPERATION = "operation", _("Put into operation (投入运营)")


class TrancheState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    VERIFIED = "verified", _("Verified by the district")
    APPROVED = "approved", _("Approved by the city")
    RELEASED = "released", _("Released")
    REJECTED = "rejected", _("Rejected")


class ChangeState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AuthorityLevel(models.TextChoices):
    """按权限履行项目审批职能 (四.2 四): which level holds the approving authority."""

    DISTRICT = "district", _("District")
    CITY = "city", _("City")


class Procedure(models.TextChoices):
    """The investment-project procedure the 可研批复 followed."""

    APPROVAL = "approval", _("Approval (审批)")
    RATIFICATION = "ratification", _("Ratification (核准)")
    FILING = "filing", _("Filing (备案)")


class ExceptionDecision(models.TextChoices):
    """The 功能设置 reviewer's word on a 原则上 exception."""

    PENDING = "pending", _("Awaiting the functions reviewer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class AttachmentKind(models.TextChoices):
    CONSULTATION = "consultation", _("Resident and enterprise consultation record")
    SAFETY = "safety", _("Safety assessment")
    FEASIBILITY = "feasibility", _("Feasibility study approval (可研批复)")
    FUND_REPORT = "fund_report", _("Fund application report (概算)")
    MILESTONE = "milestone", _("Milestone evidence")
    OTHER = "other", _("Other")
