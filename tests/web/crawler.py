"""A crawler that walks the product the way a person does: from the home page, through the
menu, lists (their first rows) and detail pages, following every link and HTMX fragment to a
bounded depth, and submitting each form once empty.

It knows no page by name: any page an app adds is walked as soon as a link leads to it. URLs
are grouped by their route (``app:view`` plus the names of the query parameters), and each
group is visited once per account and language, so a list of a thousand rows costs one visit
of its first row. The fetching is left to the caller (Django's test client, or a browser), so
the same walk runs both ways; the checks on what a page says are here, once.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Words a zh-Hans page may show in Latin letters: names of products and standards, units and
# file formats — things a Chinese official writes in Latin letters too.
ALLOWED_LATIN = {
    word.lower()
    for word in (
        "linli API REST OpenAPI Swagger JSON GeoJSON CSV XLSX Excel PDF Word DOCX ID URL UTF "
        "OSM OpenStreetMap Leaflet ECharts WGS GCJ BD CGCS EPSG GB TOTP QR IP HTTP HTTPS SMS "
        "WeChat SMTP PostgreSQL SQLite MCLP LSCP CNY km m kg px ha OK "
        "Shapefile GeoPackage GPS GBK JPG PNG"
    ).split()
}
# Pages whose text is not the platform's own: the API browser of DRF and its Swagger UI
# speak JSON keys (developers' words by design).
NOT_PROSE = ("/api/",)
# Never followed or submitted: they end the session or change the walker's language.
SKIPPED = ("/logout/", "/i18n/", "/static/")

_TOKEN = re.compile(r"[A-Za-z0-9_.@/:\-']+")
_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")
# Any snake_case name is a developer's, whatever app it comes from (``site_plan``).
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


@cache
def code_names() -> frozenset[str]:
    """Names a person must never read: the vocabulary's codes and every model choice written
    with an underscore, constraint names, model labels (``registry.candidatesite``) and
    permission codenames (``approve_subsidy``), field names with an underscore. Collected from
    the code, so a new app's names are checked as soon as it lands."""
    from django.apps import apps
    from django.contrib.auth.models import Permission

    from linli.policy import vocabulary

    names: set[str] = set()
    for labels in vars(vocabulary).values():
        if isinstance(labels, dict) or hasattr(labels, "keys") and not isinstance(labels, type):
            try:
                names.update(str(key) for key in labels.keys())
            except TypeError:
                continue
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in ("auth", "contenttypes", "sessions", "admin"):
            continue
        names.add(meta.label_lower)
        names.update(constraint.name for constraint in meta.constraints)
        for model_field in meta.get_fields():
            if "_" in model_field.name and not model_field.name.startswith("_"):
                names.add(model_field.name)
            for value, _label in getattr(model_field, "flatchoices", None) or ():
                names.add(str(value))
    names.update(Permission.objects.values_list("codename", flat=True))
    # Only names a person could not mistake for a word: with an underscore or a dot.
    return frozenset(name for name in names if "_" in name or "." in name)


def problems_in_text(text: str, *, language: str, data: Iterable[str] = ()) -> list[str]:
    """What is wrong with a page's visible text: code names (any language), and on a zh-Hans
    page, English words outside ``ALLOWED_LATIN``. ``data``: values of the records shown (user
    names, e-mail addresses), which are the users' own words, not the platform's."""
    for value in data:
        text = text.replace(value, " ")
    found = []
    codes = code_names()
    for token in _TOKEN.findall(text):
        token = token.strip(".:-/'")
        if token in codes:
            found.append(f"code name {token!r}")
        elif _SNAKE_CASE.fullmatch(token):
            found.append(f"code name {token!r}")
        elif language == "zh-hans" and _WORD.fullmatch(token):
            if token.lower() not in ALLOWED_LATIN:
                found.append(f"English {token!r}")
    return sorted(set(found))


@dataclass
class Form:
    method: str
    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links (``a[href]`` and HTMX ``hx-get``), forms, and the text a person reads (element
    text outside scripts and styles, plus placeholders, titles, labels and button values)."""

    _HIDDEN_TEXT = {"script", "style", "template", "noscript"}
    _TEXT_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
    _VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.fragments: list[str] = []
        self.forms: list[Form] = []
        self.text: list[str] = []
        self._hidden_depth = 0
        # Elements whose text is not the page's prose: in another language (the language
        # switch's "English", lang="en"), or data marked translate="no" (user names, keys).
        self._not_prose: list[str] = []
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in self._HIDDEN_TEXT:
            self._hidden_depth += 1
        not_prose = attributes.get("translate") == "no" or (
            "lang" in attributes and tag != "html" and not attributes["lang"].startswith("zh")
        )
        if not_prose and tag not in self._VOID:
            self._not_prose.append(tag)
        if self._not_prose or not_prose:
            attributes = {k: v for k, v in attributes.items() if k not in self._TEXT_ATTRIBUTES}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if attributes.get("hx-get"):
            self.fragments.append(attributes["hx-get"])
        self.text.extend(attributes[name] for name in self._TEXT_ATTRIBUTES if name in attributes)
        if tag == "form":
            self._form = Form(
                method=attributes.get("method", "get").lower(), action=attributes.get("action", "")
            )
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None:
            name, kind = attributes.get("name"), attributes.get("type", "").lower()
            if kind in ("submit", "button") and attributes.get("value") and tag == "input":
                self.text.append(attributes["value"])
            if not name:
                return
            if kind == "hidden":
                self._form.hidden[name] = attributes.get("value", "")
            # Empty, as a browser sends it: nothing for an unticked box or an unchosen radio.
            elif tag != "button" and kind not in ("submit", "button", "checkbox", "radio"):
                self._form.fields.append(name)

    def handle_endtag(self, tag):
        if tag in self._HIDDEN_TEXT and self._hidden_depth:
            self._hidden_depth -= 1
        if self._not_prose and self._not_prose[-1] == tag:
            self._not_prose.pop()
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        if not self._hidden_depth and not self._not_prose and data.strip():
            self.text.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def route_of(url: str) -> str | None:
    """The group of a same-site URL: its route's name and its query parameters' names;
    ``None`` for what the walk leaves alone (another site, the language switch, logout)."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "testserver"):
        return None
    path = parts.path
    if not path.startswith("/") or any(path.startswith(prefix) for prefix in SKIPPED):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return f"unresolved:{path}"
    query = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{match.view_name}?{'&'.join(query)}"


@dataclass
class Visit:
    """What fetching a URL gave: the status, the content type and (for HTML) the text."""

    status: int
    content_type: str
    html: str = ""
    problems: list[str] = field(default_factory=list)  # found by the fetcher (JS, overflow)


@dataclass
class Crawl:
    """One walk, as one account in one language.

    ``fetch(url, fragment)`` GETs a URL; ``submit(form, url)`` sends a form empty and returns
    the visit of the answer (or ``None`` when the walker cannot send forms)."""

    fetch: Callable[[str, bool], Visit]
    language: str
    submit: Callable[[Form, str], Visit] | None = None
    max_depth: int = 4
    fragments: bool = True  # follow hx-get URLs too (a browser loads them with the page)
    data: tuple[str, ...] = ()
    seen_routes: set[str] = field(default_factory=set)
    seen_forms: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    _reported: set[tuple[str, str]] = field(default_factory=set)

    def run(self, start: str = "/") -> Crawl:
        queue: deque[tuple[str, int, str, bool]] = deque([(start, 0, "(start)", False)])
        self.seen_routes.add(route_of(start) or start)
        while queue:
            url, depth, source, fragment = queue.popleft()
            visit = self.fetch(url, fragment)
            self.visited.append(url)
            self._check(url, source, visit)
            if not visit.html or depth >= self.max_depth:
                continue
            page = parse(visit.html)
            fragments = page.fragments if self.fragments else []
            for href, is_fragment in [(h, False) for h in page.links] + [
                (h, True) for h in fragments
            ]:
                target = urljoin(url, href).split("#")[0]
                route = route_of(target)
                if route is None or route in self.seen_routes:
                    continue
                self.seen_routes.add(route)
                queue.append((target, depth + 1, url, is_fragment))
            if self.submit is not None:
                for form in page.forms:
                    self._submit(form, url)
        return self

    def _submit(self, form: Form, url: str) -> None:
        action = urljoin(url, form.action or url)
        route = route_of(action)
        if route is None:
            return
        key = f"{form.method} {route}"
        if key in self.seen_forms:
            return
        self.seen_forms.add(key)
        visit = self.submit(form, action)
        self._check(action, f"{form.method.upper()} form on {url}", visit, submitted=True)

    def _check(self, url: str, source: str, visit: Visit, submitted: bool = False) -> None:
        problems = list(visit.problems)
        if visit.status >= 500:
            problems.append(f"answered {visit.status}")
        elif visit.status == 404 and not submitted:
            problems.append("404 from a link")
        path = urlsplit(url).path
        if visit.html and not any(path.startswith(prefix) for prefix in NOT_PROSE):
            text = " ".join(parse(visit.html).text)
            problems += problems_in_text(text, language=self.language, data=self.data)
        route = route_of(url) or url
        for problem in problems:  # each problem once per route: one list, not its every page
            if (route, problem) not in self._reported:
                self._reported.add((route, problem))
                self.failures.append(f"{url} (from {source}, {self.language}): {problem}")
