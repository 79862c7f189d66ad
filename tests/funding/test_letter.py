"""The approval letter is a PDF whose Chinese text is real glyphs: the text extracts back as
written, the embedded font is Noto CJK, and the rendered page has ink where the title is."""

from __future__ import annotations

import ctypes
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from django.test import TestCase

from linli.core.testing import make_tree
from linli.funding import services
from linli.funding.choices import ApplicationState
from linli.funding.letters import approval_letter_html, approval_letter_pdf
from linli.funding.testing import advance, draft, make_actors, open_call
from linli.policy.pack import PATH_ENV
from linli.policy.vocabulary import SCENARIOS

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 is in the test extra")
pdfium_c = pytest.importorskip("pypdfium2.raw")


class ApprovalLetterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        tree = make_tree()
        actors = make_actors(tree)
        call = open_call(actors.city_admin, [tree.district])
        application = draft(actors.street, call, "甲街道社区服务综合体", tree.community_a)
        advance(actors, application, ApplicationState.FUND_APPROVED)
        cls.approval = application.subsidy_approval
        cls.pdf = approval_letter_pdf(cls.approval)

    def test_chinese_text_extracts_as_written(self):
        document = pdfium.PdfDocument(self.pdf)
        text = document[0].get_textpage().get_text_range()
        flowing = text.replace("\r", "").replace("\n", "")
        self.assertIn("关于甲街道社区服务综合体资金申请报告的批复", flowing)
        self.assertIn("婴幼儿托育", text)
        self.assertIn(self.approval.letter_no, text)
        self.assertNotIn("\ufffd", text)

    def test_font_is_noto_cjk(self):
        textpage = pdfium.PdfDocument(self.pdf)[0].get_textpage()
        flags = ctypes.c_int()
        size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, 0, None, 0, ctypes.byref(flags))
        name = ctypes.create_string_buffer(size)
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, 0, name, size, ctypes.byref(flags))
        self.assertRegex(name.value.decode(), r"Noto-(Serif|Sans)-CJK")

    def test_the_title_is_inked(self):
        page = pdfium.PdfDocument(self.pdf)[0]
        image = page.render(scale=2).to_pil().convert("L")
        width, height = image.size
        # The title sits centred in the top margin band (28 mm of 297 mm, 20 pt high).
        title = image.crop(
            (int(width * 0.15), int(height * 0.08), int(width * 0.85), int(height * 0.15))
        )
        dark = sum(1 for value in title.get_flattened_data() if value < 128)
        self.assertGreater(dark / (title.width * title.height), 0.02)
        # The bottom margin stays blank: the ink above is the title, not a page-wide smear.
        blank = image.crop((0, int(height * 0.95), width, height))
        self.assertEqual(sum(1 for value in blank.get_flattened_data() if value < 128), 0)


class LetterContentTests(TestCase):
    """What the letter says: to the district that reported, the rate as a percentage, the cap
    when it bites, the land-use paragraph only where 121号 三(十) applies, the city's DRC."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)
        cls.call = open_call(cls.actors.city_admin, [cls.tree.district])

    def letter(self, name, **fields):
        application = draft(self.actors.street, self.call, name, self.tree.community_a, **fields)
        advance(self.actors, application, ApplicationState.FUND_APPROVED)
        return application.subsidy_approval, approval_letter_html(application.subsidy_approval)

    def test_addressed_to_the_district_and_signed_by_the_city(self):
        _approval, html = self.letter("甲街道综合体")
        self.assertIn(f'<p class="addressee">{self.tree.district.name}发展改革委：</p>', html)
        self.assertIn("你区报送的甲街道甲街道综合体", html)
        self.assertIn(f"{self.tree.city.name}发展和改革委员会", html)
        self.assertIn("补助比例 25%", html)
        self.assertNotIn("北京市发展和改革委员会", html)

    def test_the_land_use_paragraph_follows_the_project(self):
        converted, converted_html = self.letter("存量改造项目")  # the sample is a conversion
        self.assertIsNotNone(converted.land_use_grace_expiry)
        self.assertIn("不改变用地主体和规划条件", converted_html)
        new, new_html = self.letter("新建项目", construction="new")
        self.assertIsNone(new.land_use_grace_expiry)
        self.assertNotIn("四、", new_html)
        built, built_html = self.letter("政府新建项目", construction="new", government_built=True)
        self.assertEqual(built.land_use_grace_expiry, built.approved_on + relativedelta(years=5))
        self.assertIn("不变更原有土地用途", built_html)


class LetterFormTests(TestCase):
    """One page where the content fits, the signature never alone on a page of its own,
    amounts with separators and the approved sum in capitals, and the issuing city's own
    measures cited (a 青岚市 letter once cited Beijing's)."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)

    def approved(self, name, policy_id="beijing-2024", **fields):
        call = open_call(self.actors.city_admin, [self.tree.district], policy_id=policy_id)
        application = draft(self.actors.street, call, name, self.tree.community_a, **fields)
        advance(self.actors, application, ApplicationState.FUND_APPROVED)
        return application.subsidy_approval

    def pages(self, approval) -> list[str]:
        document = pdfium.PdfDocument(approval_letter_pdf(approval))
        return [page.get_textpage().get_text_range().replace("\r\n", "") for page in document]

    def test_a_usual_letter_is_one_page(self):
        pages = self.pages(self.approved("甲街道社区服务综合体"))
        self.assertEqual(len(pages), 1)
        self.assertIn("发展和改革委员会", pages[0])

    def test_a_long_letter_keeps_the_signature_with_the_text(self):
        # Nine functions and a long reason for the rate run onto a second page.
        functions = [
            dict(
                scenario=scenario,
                category="commercial",
                floor_area_m2=Decimal("100"),
                investment_cny=Decimal("550000"),
            )
            for scenario in SCENARIOS
        ]
        # The total investment is 5 000 000: 600 000 and eight times 550 000.
        functions[0].update(category="basic_public", investment_cny=Decimal("600000"))
        call = open_call(self.actors.city_admin, [self.tree.district])
        application = draft(
            self.actors.street, call, "九项功能综合体", self.tree.community_a, functions=functions
        )
        advance(self.actors, application, ApplicationState.FUND_APP_SUBMITTED)
        approval = services.subsidy_approve(
            actor=self.actors.city_admin,
            application=application,
            inclusive_rate=Decimal("0.25"),
            rate_reason="托育、助餐价格经成本监审低于市场价，" * 30,
            letter_no="测发改（审）〔2026〕90号",
            approved_on=application.feasibility.approved_on,
        )
        pages = self.pages(approval)
        self.assertEqual(len(pages), 2)
        self.assertIn("发展和改革委员会", pages[1])
        self.assertIn("分批下达", pages[1])  # the closing paragraph goes with the signature

    def test_amounts_have_separators_and_the_sum_its_capitals(self):
        approval = self.approved("大写金额项目")
        # 30 % of 2 000 000 (basic public) + 25 % of 1 800 000 (inclusive) = 1 050 000.
        self.assertEqual(approval.total_cny, Decimal("1050000.00"))
        html = approval_letter_html(approval)
        self.assertIn("人民币壹佰零伍万元整（¥1,050,000.00）", html)
        self.assertIn("基本公共服务类功能补助 600,000.00 元", html)
        self.assertIn("2,000,000.00", html)  # an estimate in the table
        self.assertIn("5,000,000.00", html)  # the total estimate

    def test_the_issuing_citys_own_measures_are_cited(self):
        html = approval_letter_html(self.approved("借用北京办法的项目"))
        self.assertNotIn("依据《北京市", html)
        self.assertIn("依据《城市社区嵌入式服务设施建设工程实施方案》（国办函〔2023〕121号）", html)
        self.assertIn("参照《北京市社区嵌入式服务设施项目建设运营管理办法（试行）》", html)
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "ceshi-2026.toml").write_text(OWN_PACK, encoding="utf-8")
            with mock.patch.dict("os.environ", {PATH_ENV: folder}):
                html = approval_letter_html(self.approved("本市办法的项目", "ceshi-2026"))
        self.assertIn("依据《测试市社区嵌入式服务设施项目建设运营管理办法（试行）》，现批复", html)
        self.assertNotIn("北京", html)


OWN_PACK = """id = "ceshi-2026"
extends = "beijing-2024"
title_zh = "测试市社区嵌入式服务设施项目建设运营管理办法（试行）"
title_en = "Test city measures"
jurisdiction = "CN-TEST"
city_zh = "测试市"
status = "final"
"""
