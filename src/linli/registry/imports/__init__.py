"""Registry import: readers, validation, the all-or-nothing service and the xlsx template."""

from linli.registry.imports.report import ImportReport, Problem
from linli.registry.imports.service import registry_import
from linli.registry.imports.template import registry_template

__all__ = ["ImportReport", "Problem", "registry_import", "registry_template"]
