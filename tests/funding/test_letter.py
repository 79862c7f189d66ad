"""The approval letter is a PDF whose Chinese text is real glyphs: the text extracts back as
written, the embedded font is Noto CJK, and the rendered page has ink where the title is."""

from __future__ import annotations

import ctypes

import pytest
from dateutil.relativedelta import relativedelta
from django.test import TestCase

from linli.core.testing import make_tree
from linli.funding.choices import ApplicationState
from linli.funding.letters import approval_letter_html, approval_letter_pdf
from linli.funding.testing import advance, draft, make_actors, open_call

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
        self.assertIn(f"<p>{self.tree.district.name}发展改革委：</p>", html)
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
