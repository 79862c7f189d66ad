"""Many accounts at once from an xlsx (a district onboarding its streets and communities).

Every row is checked before anything is written; a file with any problem creates nothing and
names each problem by row and column. Each row becomes a new-account request (the account
inactive, without a password); the first halves of the codes go back to the system
administrator once, as an xlsx, and the security administrator's approval gives the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from linli.accounts.credentials import Filed, user_create
from linli.accounts.models import User
from linli.accounts.roles import Department, Role
from linli.accounts.services import ADMINISTRATOR_ROLES
from linli.core.permissions import require_model_permission, restrict
from linli.registry.models import Jurisdiction

SHEET = "账号"
HEADERS = ("用户名", "显示名称", "角色", "部门", "所属辖区代码")
MAX_ROWS = 2000


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}: {self.message}"


def _labels(choices) -> dict[str, str]:
    """Chinese label → code, as the template's dropdowns offer them."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


def _roles() -> dict[str, str]:
    return {k: v for k, v in _labels(Role.choices).items() if v not in ADMINISTRATOR_ROLES}


def accounts_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell, width in zip(sheet[1], (18, 18, 22, 20, 20), strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.column_dimensions["E"].number_format = "@"  # codes keep their leading digits
    for letter, options in (("C", _roles()), ("D", _labels(Department.choices))):
        validation = DataValidation(type="list", formula1=f'"{",".join(options)}"')
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    notes = workbook.create_sheet("说明")
    for line in (
        "每行一个账号。用户名、角色、所属辖区代码必填；部门只填市级部门审查人员。",
        "导入的账号暂不可用：安全管理员核对角色和数据范围并批准后，用户凭系统管理员的开通码第一段"
        "和安全管理员的开通码第二段自行设置密码。第一段导入后下载一次。文件有任何错误时不导入任何账号。",
        "One account per row. Username, role and jurisdiction code are required; the department "
        "only for city department reviewers. An imported account works once the security "
        "administrator has checked and approved it and its user has set a password with both "
        "halves of the code (the first half downloads once after the import, the second comes "
        "with the approval). A file with any error imports nothing.",
    ):
        notes.append([line])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {header: text}) of every non-empty data row; ValidationError if unreadable."""
    try:
        sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a file that is not an xlsx
        raise ValidationError(f"不是有效的 xlsx 文件 / not a valid xlsx file: {error}") from error
    rows = sheet.iter_rows(values_only=True)
    headers = tuple(str(h or "").strip() for h in next(rows, ()))
    missing = [h for h in HEADERS if h not in headers]
    if missing:
        raise ValidationError(f"缺少列 / missing columns: {'、'.join(missing)}")
    found = []
    for number, values in enumerate(rows, start=2):
        row = {h: _text(v) for h, v in zip(headers, values, strict=False) if h in HEADERS}
        if any(row.values()):
            found.append((number, row))
    if len(found) > MAX_ROWS:
        raise ValidationError(f"一次最多导入 {MAX_ROWS} 个账号 / at most {MAX_ROWS} accounts")
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_rows(actor: User, rows: list[tuple[int, dict[str, str]]]):
    """Every problem of every row, and the account fields of each row when there are none."""
    roles, departments = _roles(), _labels(Department.choices)
    scope = restrict(Jurisdiction.objects.all(), actor)
    codes = {r["所属辖区代码"] for _n, r in rows}
    nodes = {n.code: n for n in scope.filter(code__in=codes) if n.code}
    taken = set(
        User.objects.filter(username__in=[r["用户名"] for _n, r in rows]).values_list(
            "username", flat=True
        )
    )
    problems, accounts, seen = [], [], set()
    for number, row in rows:
        username, role_label = row["用户名"], row["角色"]
        department_label, code = row["部门"], row["所属辖区代码"]
        role = roles.get(role_label) or (role_label if role_label in roles.values() else None)
        department = departments.get(department_label, department_label)

        def problem(column: str, message: str, number=number) -> None:
            problems.append(Problem(number, column, message))

        if not username:
            problem("用户名", "必填 / required")
        elif username in taken or username in seen:
            problem("用户名", f"“{username}”已存在 / already taken")
        seen.add(username)
        if role is None:
            problem("角色", f"“{role_label}”不是可导入的角色 / not a role accounts may be given")
        if role == Role.CITY_DEPARTMENT and department not in departments.values():
            problem("部门", "市级部门审查人员须填写部门 / a department reviewer needs a department")
        elif role != Role.CITY_DEPARTMENT and department_label:
            problem("部门", "只有市级部门审查人员填写部门 / only for department reviewers")
        node = nodes.get(code)
        if node is None:
            problem("所属辖区代码", f"“{code}”不在您的辖区内 / not a node in your scope")
        accounts.append(
            dict(
                username=username,
                display_name=row["显示名称"],
                role=role,
                department=department if role == Role.CITY_DEPARTMENT else "",
                jurisdiction=node,
            )
        )
    return problems, ([] if problems else accounts)


@transaction.atomic
def users_import(*, actor: User, accounts: list[dict]) -> list[Filed]:
    """File a new-account request for every checked row, all or none."""
    require_model_permission(actor, "add", User)
    return [user_create(actor=actor, **fields) for fields in accounts]
