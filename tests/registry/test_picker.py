"""The jurisdiction picker: scoped search and browsing, bounded pages, a small form page even
in a tree of 50 000 nodes (issue 10)."""

from __future__ import annotations

import time

from django.test import TestCase
from django.urls import reverse

from linli.accounts.roles import Role
from linli.core.testing import make_tree, make_user
from linli.registry.models import Jurisdiction, Level
from linli.registry.picker import PAGE, node_label, pick_nodes


def _pick(client, **params):
    answer = client.get(reverse("registry:jurisdiction_pick"), params)
    assert answer.status_code == 200
    return answer.json()


class TestPickNodes(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.street_officer = make_user(cls.tree, Role.STREET_OFFICER, cls.tree.street_a)
        cls.city_admin = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city)

    def test_starts_at_the_users_own_node(self):
        nodes, more = pick_nodes(self.street_officer)
        self.assertEqual([n.name for n in nodes], ["甲街道"])
        self.assertTrue(nodes[0].has_children)
        self.assertFalse(more)

    def test_browses_children_within_scope_only(self):
        nodes, _ = pick_nodes(self.city_admin, parent=self.tree.district.pk)
        self.assertEqual([n.name for n in nodes], ["甲街道", "乙街道"])
        # Street A's officer cannot open street B, nor the district above them.
        self.assertEqual(pick_nodes(self.street_officer, parent=self.tree.street_b.pk)[0], [])
        self.assertEqual(pick_nodes(self.street_officer, parent=self.tree.district.pk)[0], [])

    def test_search_by_name_or_code_names_the_trail_and_keeps_to_levels(self):
        nodes, _ = pick_nodes(self.city_admin, query="甲一", levels=(Level.COMMUNITY,))
        self.assertEqual([n.name for n in nodes], ["甲一社区"])
        self.assertEqual(nodes[0].trail, "测试市 › 测试区 › 甲街道")
        self.assertTrue(nodes[0].selectable)
        by_code, _ = pick_nodes(self.city_admin, query="990101002")
        self.assertEqual({n.name for n in by_code}, {"乙街道", self.tree.community_b.name})
        streets, _ = pick_nodes(self.city_admin, query="街道", levels=(Level.COMMUNITY,))
        self.assertEqual(streets, [])

    def test_search_never_reaches_outside_scope(self):
        self.assertEqual(pick_nodes(self.street_officer, query="乙")[0], [])

    def test_browsing_marks_what_the_field_may_take(self):
        nodes, _ = pick_nodes(
            self.city_admin, parent=self.tree.street_a.pk, levels=(Level.COMMUNITY,)
        )
        self.assertTrue(all(n.selectable for n in nodes))
        streets, _ = pick_nodes(
            self.city_admin, parent=self.tree.district.pk, levels=(Level.COMMUNITY,)
        )
        self.assertFalse(any(n.selectable for n in streets))

    def test_endpoint_needs_sign_in_and_answers_json(self):
        answer = self.client.get(reverse("registry:jurisdiction_pick"))
        self.assertEqual(answer.status_code, 302)
        self.client.force_login(self.city_admin)
        body = _pick(self.client, q="甲", levels="community,unknown-level")
        self.assertEqual([n["name"] for n in body["results"]], ["甲一社区"])
        self.assertEqual(body["results"][0]["level_label"], "社区")
        self.assertFalse(body["more"])

    def test_chosen_node_is_labelled_with_its_trail(self):
        self.assertEqual(node_label(self.tree.community_a), "测试市 › 测试区 › 甲街道 › 甲一社区")


def _big_city(root: Jurisdiction, districts: int, streets: int, communities: int) -> int:
    """Add a tree under ``root`` with bulk inserts (materialised paths computed here: adding
    50 000 nodes one by one through treebeard would take minutes). Returns nodes added."""
    step = Jurisdiction.steplen
    rows: list[Jurisdiction] = []

    def node(parent_path: str, index: int, name: str, level: str, children: int):
        path = parent_path + _key(index, step)
        rows.append(
            Jurisdiction(
                path=path,
                depth=len(path) // step,
                numchild=children,
                name=name,
                level=level,
            )
        )
        return path

    base = root.numchild
    for d in range(districts):
        district = node(root.path, base + d + 1, f"大区{d}区", Level.DISTRICT, streets)
        for s in range(streets):
            street = node(district, s + 1, f"大区{d}街道{s}", Level.STREET, communities)
            for c in range(communities):
                node(street, c + 1, f"大区{d}街道{s}第{c}社区", Level.COMMUNITY, 0)
    Jurisdiction.objects.bulk_create(rows, batch_size=5000)
    Jurisdiction.objects.filter(pk=root.pk).update(numchild=base + districts)
    return len(rows)


def _key(index: int, step: int) -> str:
    return Jurisdiction._int2str(index).rjust(step, "0")


class TestPickerAtCityScale(TestCase):
    """A city of 50 000 nodes: the form page stays small and a search answers a bounded page
    quickly."""

    @classmethod
    def setUpTestData(cls):
        cls.tree = make_tree()
        cls.added = _big_city(cls.tree.city, districts=10, streets=50, communities=99)
        cls.city_admin = make_user(cls.tree, Role.CITY_ADMIN, cls.tree.city)

    def test_tree_is_that_big(self):
        self.assertGreaterEqual(Jurisdiction.objects.count(), 50_000)

    def test_search_answers_a_bounded_page_fast(self):
        self.client.force_login(self.city_admin)
        _pick(self.client, q="社区", levels="community")  # warm
        started = time.perf_counter()
        body = _pick(self.client, q="社区", levels="community")
        elapsed = time.perf_counter() - started
        self.assertEqual(len(body["results"]), PAGE)
        self.assertTrue(body["more"])
        self.assertLess(elapsed, 2.0)  # generous: a shared CI machine; ~50 ms when quiet
        exact = _pick(self.client, q="大区7街道42第98社区")
        self.assertEqual(
            [(n["name"], n["trail"]) for n in exact["results"]],
            [("大区7街道42第98社区", "测试市 › 大区7区 › 大区7街道42")],
        )

    def test_browsing_a_street_lists_its_communities(self):
        self.client.force_login(self.city_admin)
        street = Jurisdiction.objects.get(name="大区3街道7")
        body = _pick(self.client, parent=street.pk, levels="community")
        self.assertEqual(len(body["results"]), PAGE)
        self.assertTrue(body["more"])

    def test_form_page_does_not_list_the_tree(self):
        self.client.force_login(self.city_admin)
        page = self.client.get(reverse("registry:community_create"))
        self.assertEqual(page.status_code, 200)
        self.assertLess(len(page.content), 100_000)
        self.assertNotContains(page, "第98社区")
        self.assertContains(page, "data-tree-picker")

    def test_form_takes_a_picked_node_and_refuses_one_outside_the_field(self):
        self.client.force_login(self.city_admin)
        community = Jurisdiction.objects.get(name="大区1街道1第1社区")
        form = {
            "jurisdiction": community.pk,
            "households": 100,
            "population": 300,
            "aged_0_2": 5,
            "aged_3_5": 8,
            "aged_6_12": 20,
            "aged_60_plus": 60,
            "aged_80_plus": 10,
            "service_area_m2": 1000,
            "centroid_lon": "",
            "centroid_lat": "",
        }
        saved = self.client.post(reverse("registry:community_create"), form)
        self.assertEqual(saved.status_code, 302, saved.context and saved.context["form"].errors)
        street = Jurisdiction.objects.get(name="大区1街道1")
        refused = self.client.post(
            reverse("registry:community_create"), {**form, "jurisdiction": street.pk}
        )
        self.assertEqual(refused.status_code, 200)
        self.assertIn("jurisdiction", refused.context["form"].errors)
