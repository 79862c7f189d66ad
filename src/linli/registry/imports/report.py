"""What an import found and would do: problems (zh and en) and the counts of changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language


@dataclass(frozen=True)
class Problem:
    """One problem, placed as precisely as the file allows; ``row`` counts as Excel does
    (the header is row 1), or features from 1 in a vector file."""

    file: str
    sheet: str
    row: int | None
    column: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return (
            self.message_zh if (get_language() or "zh-hans").startswith("zh") else self.message_en
        )

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (self.file, self.sheet, f"row {self.row}" if self.row else "", self.column)
            if part
        )
        return f"{where}: {self.message_en}"


@dataclass
class Problems:
    """Collects the problems of one file (or one sheet of it)."""

    file: str
    sheet: str = ""
    items: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str, zh: str, en: str) -> None:
        self.items.append(Problem(self.file, self.sheet, row, column, zh, en))


@dataclass
class ImportReport:
    """The outcome of :func:`registry_import`: nothing is written unless ``applied``."""

    kind: str
    file: str
    dry_run: bool
    rows: int = 0
    create: list[str] = field(default_factory=list)  # labels of objects created (or to be)
    update: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # worth a look; they stop nothing

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.problems

    @property
    def to_create(self) -> int:
        return len(self.create)

    @property
    def to_update(self) -> int:
        return len(self.update)
