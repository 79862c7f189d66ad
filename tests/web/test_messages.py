"""Messages for people: every model constraint of the platform, in any app, says in both
languages which field is wrong and what to do, never its code name."""

from django.apps import apps
from django.utils import translation


def constraints():
    for model in apps.get_models():
        if model.__module__.startswith("linli."):
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_has_a_message_in_both_languages():
    missing, untranslated = [], []
    for model, constraint in constraints():
        message = constraint.violation_error_message
        if not message or message == constraint.default_violation_error_message:
            missing.append(f"{model._meta.label}.{constraint.name}")
            continue
        with translation.override("en"):
            english = str(message)
        with translation.override("zh-hans"):
            chinese = str(message)
        if chinese == english or constraint.name in chinese:
            untranslated.append(f"{model._meta.label}.{constraint.name}")
    assert missing == [], "constraints without violation_error_message"
    assert untranslated == [], "constraint messages without their Chinese"


def test_policy_input_errors_name_the_field_and_what_to_do():
    from linli.web.templatetags.linli import policy_input_error

    error = "inclusive_subsidy_rate: 30 is above the maximum 0.30 of policy beijing-2024"
    with translation.override("zh-hans"):
        text = policy_input_error(error)
    assert text.startswith("普惠类补助比例：") and "0.30 即 30%" in text
    assert "inclusive_subsidy_rate" not in text and "policy" not in text
    with translation.override("zh-hans"):
        text = policy_input_error("functions[1].floor_area_m2: is required")
    assert text.startswith("第2项功能的") and "请填写" in text


def test_findings_fail_first_with_severity_in_words():
    from linli.web.templatetags.linli import failures_first, severity_label

    findings = [{"rule": "a", "passed": True}, {"rule": "b", "passed": False}]
    assert [f["rule"] for f in failures_first(findings)] == ["b", "a"]
    with translation.override("zh-hans"):
        assert severity_label("override") == "原则上"
    with translation.override("en"):
        assert severity_label("override") == "mandatory unless justified"


def test_rates_read_as_percentages():
    from decimal import Decimal

    from linli.web.templatetags.linli import percent

    assert percent(Decimal("0.2500")) == "25%"
    assert percent(Decimal("0.075")) == "7.5%"
