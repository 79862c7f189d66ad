"""A call pins the pack version it opened with (issue 12 item 9): its applications keep being
evaluated with that version when the pack file changes afterwards."""

from __future__ import annotations

from django.test import TestCase

from linli.core.testing import make_tree
from linli.funding.evaluation import call_pack
from linli.funding.testing import draft, make_actors, open_call
from linli.policy import load_pack
from linli.policy.pack import _ADDED_DIRS, add_search_directory

CITY_PACK = """
id = "pin-city"
extends = "beijing-2024"
title_zh = "钉市社区嵌入式服务设施管理办法（试行）"
title_en = "Pin city measures"
jurisdiction = "CN-XX"
status = "final"

[subsidy]
cap_cny = {cap}
source = "钉市管理办法 第五条"
confidence = "FOUND-OFFICIAL"
"""


class CallPinsPackVersionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.actors = make_actors(cls.tree)

    def setUp(self):
        import tempfile
        from pathlib import Path

        self.directory = Path(tempfile.mkdtemp())
        self.path = self.directory / "pin-city.toml"
        self.path.write_text(CITY_PACK.format(cap=1_000_000), "utf-8")
        add_search_directory(self.directory)
        self.addCleanup(_ADDED_DIRS.remove, self.directory)

    def test_the_call_keeps_its_version_after_the_pack_changes(self):
        call = open_call(self.actors.city_admin, [self.tree.district], policy_id="pin-city")
        opened = load_pack("pin-city")
        self.assertEqual(call.policy_version, opened.version)
        self.assertEqual(len(call.policy_version), 64)

        self.path.write_text(CITY_PACK.format(cap=2_000), "utf-8")  # the city edits its pack
        self.assertNotEqual(load_pack("pin-city").version, call.policy_version)

        call.refresh_from_db()
        self.assertEqual(call_pack(call).subsidy.cap_cny, 1_000_000)
        self.assertEqual(call_pack(call).version, call.policy_version)
        application = draft(self.actors.street, call, "钉市甲社区综合体", self.tree.community_a)
        self.assertEqual(application.evaluation["subsidy"]["cap_cny"], "1000000.00")

        # A call opened after the edit pins the new version.
        later = open_call(self.actors.city_admin, [self.tree.district], policy_id="pin-city")
        self.assertEqual(call_pack(later).subsidy.cap_cny, 2_000)

    def test_the_pinned_version_survives_the_file_being_removed(self):
        call = open_call(self.actors.city_admin, [self.tree.district], policy_id="pin-city")
        self.path.unlink()
        call.refresh_from_db()
        self.assertEqual(call_pack(call).id, "pin-city")

    def test_the_call_page_shows_the_pinned_version(self):
        call = open_call(self.actors.city_admin, [self.tree.district], policy_id="pin-city")
        self.client.force_login(self.actors.district)

        response = self.client.get(call.get_absolute_url())

        self.assertContains(response, call.policy_version[:12])
        self.assertContains(response, "征集发布时锁定；本次征集的申报均按此版本校验")
