"""Numba kernels over the CSR arrays of a walking graph.

``reached_within``: bounded single-source Dijkstra for catchments. A facility's catchment
reaches a few thousand nodes, yet ``scipy.sparse.csgraph.dijkstra`` with one source scans and
allocates whole-graph arrays every time and returns a dense ``n_sources x n_nodes`` matrix:
about 40 ms per facility on a 1 M-node city, against 0.5 ms here, where the scratch arrays are
kept across sources and only the touched nodes are reset.

``contract_graph``: removes the dead-end trees and replaces the chains of degree-2 nodes by
single edges, so that the per-scenario searches of
:func:`linli.planning.access.nearest_facilities` run on a graph several times smaller;
``nearest_source`` is that search (multi-source, labelled, GIL released so that the
scenarios run in threads on all cores).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, inline="always")
def _sift_up(heap_node: np.ndarray, heap_key: np.ndarray, pos: np.ndarray, i: int) -> None:
    node = heap_node[i]
    key = heap_key[i]
    while i > 0:
        parent = (i - 1) >> 1
        if heap_key[parent] <= key:
            break
        heap_node[i] = heap_node[parent]
        heap_key[i] = heap_key[parent]
        pos[heap_node[i]] = i
        i = parent
    heap_node[i] = node
    heap_key[i] = key
    pos[node] = i


@numba.njit(cache=True, inline="always")
def _sift_down(heap_node: np.ndarray, heap_key: np.ndarray, pos: np.ndarray, size: int) -> None:
    node = heap_node[0]
    key = heap_key[0]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap_key[child + 1] < heap_key[child]:
            child += 1
        if heap_key[child] >= key:
            break
        heap_node[i] = heap_node[child]
        heap_key[i] = heap_key[child]
        pos[heap_node[i]] = i
        i = child
    heap_node[i] = node
    heap_key[i] = key
    pos[node] = i


@numba.njit(cache=True, inline="always")
def _pop(heap_node: np.ndarray, heap_key: np.ndarray, pos: np.ndarray, size: int):
    """Take the nearest node off the heap: ``(node, distance, new size)``."""
    u = heap_node[0]
    d = heap_key[0]
    pos[u] = -1
    size -= 1
    if size > 0:
        heap_node[0] = heap_node[size]
        heap_key[0] = heap_key[size]
        pos[heap_node[0]] = 0
        _sift_down(heap_node, heap_key, pos, size)
    return u, d, size


@numba.njit(cache=True, inline="always")
def _lower(
    v: int,
    candidate: float,
    dist: np.ndarray,
    heap_node: np.ndarray,
    heap_key: np.ndarray,
    pos: np.ndarray,
    size: int,
) -> int:
    """Give ``v`` the shorter distance ``candidate`` (pushing it when new); the heap's size."""
    if dist[v] == np.inf:
        heap_node[size] = v
        heap_key[size] = candidate
        pos[v] = size
        size += 1
    else:
        heap_key[pos[v]] = candidate
    dist[v] = candidate
    _sift_up(heap_node, heap_key, pos, pos[v])
    return size


@numba.njit(cache=True, inline="always")
def _relax(
    u: int,
    d: float,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    limit: float,
    dist: np.ndarray,
    heap_node: np.ndarray,
    heap_key: np.ndarray,
    pos: np.ndarray,
    size: int,
    touched: np.ndarray,
    n_touched: int,
):
    """Lower the neighbours of settled node ``u`` (at ``d``) within ``limit``, noting the
    newly reached in ``touched``: ``(heap size, touched count)``."""
    for e in range(indptr[u], indptr[u + 1]):
        v = indices[e]
        candidate = d + weights[e]
        # A settled node already has dist <= d <= candidate, so it is never re-opened.
        if candidate <= limit and candidate < dist[v]:
            if dist[v] == np.inf:
                touched[n_touched] = v
                n_touched += 1
            size = _lower(v, candidate, dist, heap_node, heap_key, pos, size)
    return size, n_touched


@numba.njit(cache=True, nogil=True)
def _search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    limit: float,
    dist: np.ndarray,
    pos: np.ndarray,
    heap_node: np.ndarray,
    heap_key: np.ndarray,
    size: int,
    touched: np.ndarray,
    n_touched: int,
) -> int:
    """Run Dijkstra from the seeds already in the heap; return the number of touched nodes.

    ``dist`` is ``inf`` and ``pos`` is ``-1`` on every untouched node; each reached node ends
    with its distance. A node at exactly ``limit`` is reached, as in scipy.
    """
    while size > 0:
        u, d, size = _pop(heap_node, heap_key, pos, size)
        size, n_touched = _relax(
            u, d, indptr, indices, weights, limit, dist, heap_node, heap_key, pos, size,
            touched, n_touched,
        )  # fmt: skip
    return n_touched


@numba.njit(cache=True, nogil=True)
def reached_within(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, sources: np.ndarray, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes within ``limit`` of each source, nearest first: one bounded search per source.

    Returns ``(offsets, nodes, distances)``; the reach of ``sources[i]`` is
    ``nodes[offsets[i]:offsets[i + 1]]``, its first node the source itself. The scratch arrays
    are shared by all searches and only the touched nodes are reset.
    """
    n = indptr.size - 1
    dist = np.full(n, np.inf)
    pos = np.full(n, -1, dtype=np.int64)
    heap_node = np.empty(n, dtype=np.int64)
    heap_key = np.empty(n, dtype=np.float64)
    touched = np.empty(n, dtype=np.int64)
    offsets = np.zeros(sources.size + 1, dtype=np.int64)
    capacity = max(1024, 64 * sources.size)
    out_node = np.empty(capacity, dtype=np.int64)
    out_dist = np.empty(capacity, dtype=np.float64)
    count = 0
    for i in range(sources.size):
        s = sources[i]
        dist[s] = 0.0
        heap_node[0] = s
        heap_key[0] = 0.0
        pos[s] = 0
        touched[0] = s
        n_touched = _search(
            indptr, indices, weights, limit, dist, pos, heap_node, heap_key, 1, touched, 1
        )
        while count + n_touched > capacity:
            capacity *= 2
            grown_node = np.empty(capacity, dtype=np.int64)
            grown_dist = np.empty(capacity, dtype=np.float64)
            grown_node[:count] = out_node[:count]
            grown_dist[:count] = out_dist[:count]
            out_node = grown_node
            out_dist = grown_dist
        reached = touched[:n_touched]
        order = np.argsort(dist[reached], kind="mergesort")
        for k in range(n_touched):
            out_node[count + k] = reached[order[k]]
            out_dist[count + k] = dist[reached[order[k]]]
        count += n_touched
        offsets[i + 1] = count
        for k in range(n_touched):
            dist[reached[k]] = np.inf
    return offsets, out_node[:count].copy(), out_dist[:count].copy()


@numba.njit(cache=True, nogil=True)
def nearest_source(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    seeds: np.ndarray,
    seed_label: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """One multi-source Dijkstra from all ``seeds``: each node's distance to its nearest seed
    and that seed's label; ``inf`` and ``-1`` beyond ``limit`` (a node at ``limit`` is reached).

    Of seeds at the same distance the smaller label wins, so the answer does not depend on the
    heap's order. Releases the GIL: the scenarios' searches run on all cores as threads.
    """
    n = indptr.size - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, dtype=np.int64)
    pos = np.full(n, -1, dtype=np.int64)
    heap_node = np.empty(n, dtype=np.int64)
    heap_key = np.empty(n, dtype=np.float64)
    size = 0
    for i in range(seeds.size):
        s = seeds[i]
        if dist[s] == 0.0:
            label[s] = min(label[s], seed_label[i])
            continue
        dist[s] = 0.0
        label[s] = seed_label[i]
        heap_node[size] = s
        heap_key[size] = 0.0
        pos[s] = size
        size += 1
    while size > 0:
        u, d, size = _pop(heap_node, heap_key, pos, size)
        own = label[u]
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            candidate = d + weights[e]
            if candidate > limit:
                continue
            if candidate < dist[v]:
                label[v] = own
                size = _lower(v, candidate, dist, heap_node, heap_key, pos, size)
            elif candidate == dist[v] and own < label[v] and pos[v] >= 0:
                label[v] = own  # a tie, decided before v is settled
    return dist, label


@numba.njit(cache=True)
def _peel_pendant_trees(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Remove dead-end trees (repeatedly, nodes of degree 1 that are not in ``keep``).

    A node of a removed tree has one way out: its distance to anything outside the tree is its
    distance to the tree's ``root`` (where the tree hangs on the rest) plus ``depth``.
    Returns ``peeled``, ``root``, ``depth`` and the remaining ``degree`` of every node.
    """
    n = indptr.size - 1
    degree = np.empty(n, dtype=np.int64)
    for i in range(n):
        degree[i] = indptr[i + 1] - indptr[i]
    peeled = np.zeros(n, dtype=np.bool_)
    parent = np.full(n, -1, dtype=np.int64)
    step = np.zeros(n)
    order = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(n):
        if degree[i] == 1 and not keep[i]:
            queue[tail] = i
            tail += 1
    count = 0
    while head < tail:
        v = queue[head]
        head += 1
        if degree[v] != 1:  # the last node of a tree that is the whole graph stays
            continue
        for e in range(indptr[v], indptr[v + 1]):
            p = indices[e]
            if not peeled[p]:
                peeled[v] = True
                parent[v] = p
                step[v] = weights[e]
                order[count] = v
                count += 1
                degree[v] = 0
                degree[p] -= 1
                if degree[p] == 1 and not keep[p]:
                    queue[tail] = p
                    tail += 1
                break
    root = np.full(n, -1, dtype=np.int64)
    depth = np.zeros(n)
    for k in range(count - 1, -1, -1):  # nearest the root first
        v = order[k]
        p = parent[v]
        if peeled[p]:
            root[v] = root[p]
            depth[v] = depth[p] + step[v]
        else:
            root[v] = p
            depth[v] = step[v]
    return peeled, root, depth, degree


@numba.njit(cache=True, inline="always")
def _next_on_chain(
    current: int, previous: int, indptr: np.ndarray, indices: np.ndarray, peeled: np.ndarray
) -> int:
    """The edge leaving chain node ``current`` that does not go back to ``previous``."""
    for e in range(indptr[current], indptr[current + 1]):
        v = indices[e]
        if v != previous and not peeled[v]:
            return e
    # Both remaining edges lead back to previous only with parallel edges, which are merged.
    return -1


@numba.njit(cache=True, inline="always")
def _walk_chains(
    a: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    peeled: np.ndarray,
    kept: np.ndarray,
    end: np.ndarray,
    offset: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_w: np.ndarray,
    m: int,
) -> int:
    """Follow every chain of degree-2 nodes leaving kept node ``a``; add one edge per chain."""
    for e in range(indptr[a], indptr[a + 1]):
        previous = a
        current = indices[e]
        if peeled[current]:
            continue
        length = weights[e]
        while not kept[current]:
            # Each chain node is walked twice, once from each end: slot 0, then slot 1.
            slot = 0 if end[current, 0] == -1 else 1
            end[current, slot] = a
            offset[current, slot] = length
            following = _next_on_chain(current, previous, indptr, indices, peeled)
            previous = current
            current = indices[following]
            length += weights[following]
        edge_u[m] = a
        edge_v[m] = current
        edge_w[m] = length
        m += 1
    return m


@numba.njit(cache=True)
def contract_graph(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The graph a nearest-facility search needs: dead ends and chains reduced away.

    First the dead-end trees that hold no ``keep`` node are removed (footways and service
    roads into a block, cul-de-sacs); then every chain of degree-2 nodes between two junctions
    becomes one edge. Searching what is left gives the same distances, and every removed node
    is reached from at most two kept nodes at known offsets.

    Returns
    -------
    kept : bool per node, the nodes of the contracted graph (junctions, ``keep``).
    edge_u, edge_v, edge_w : the contracted directed edges (original node numbers).
    end, offset : ``(n, 2)``; node ``i`` lies ``offset[i, k]`` from kept node ``end[i, k]``
        and has no shorter way out; a kept node is its own end at 0 (``end[i, 1] == -1``), a
        node of a dead-end tree has its root's ends (one when the root is kept).
    """
    n = indptr.size - 1
    peeled, root, depth, degree = _peel_pendant_trees(indptr, indices, weights, keep)
    kept = keep.copy()
    for i in range(n):
        if not peeled[i] and degree[i] != 2:
            kept[i] = True
    end = np.full((n, 2), -1, dtype=np.int64)
    offset = np.full((n, 2), np.inf)
    edge_u = np.empty(indices.size, dtype=np.int64)
    edge_v = np.empty(indices.size, dtype=np.int64)
    edge_w = np.empty(indices.size, dtype=np.float64)
    m = 0
    for a in range(n):
        if kept[a]:
            end[a, 0] = a
            offset[a, 0] = 0.0
            m = _walk_chains(
                a, indptr, indices, weights, peeled, kept, end, offset, edge_u, edge_v, edge_w, m
            )
    # A ring of degree-2 nodes with no junction at all: promote one of its nodes.
    for a in range(n):
        if not peeled[a] and not kept[a] and end[a, 0] == -1:
            kept[a] = True
            end[a, 0] = a
            offset[a, 0] = 0.0
            m = _walk_chains(
                a, indptr, indices, weights, peeled, kept, end, offset, edge_u, edge_v, edge_w, m
            )
    for v in range(n):
        if peeled[v]:
            r = root[v]
            for k in range(2):
                if end[r, k] >= 0:
                    end[v, k] = end[r, k]
                    offset[v, k] = offset[r, k] + depth[v]
    return kept, edge_u[:m], edge_v[:m], edge_w[:m], end, offset


@numba.njit(cache=True, nogil=True)
def nearest_from_origins(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    origins: np.ndarray,
    place_offsets: np.ndarray,
    place_scenario: np.ndarray,
    place_facility: np.ndarray,
    n_scenarios: int,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Each origin's nearest facility of every scenario, by one bounded search per origin.

    The facilities at node ``v`` are ``place_scenario/place_facility[place_offsets[v]:
    place_offsets[v + 1]]``. A search stops as soon as every scenario that has a facility is
    found and no farther node can tie, so it visits only the origin's neighbourhood: cheaper
    than a whole-city search per scenario when the origins are few. Of facilities at the same
    distance the smaller index wins, as in :func:`nearest_source`.

    Returns ``(distance, facility)``, each ``(n_scenarios, n_origins)``; ``inf`` and ``-1``
    where none is within ``limit``.
    """
    n = indptr.size - 1
    dist = np.full(n, np.inf)
    pos = np.full(n, -1, dtype=np.int64)
    heap_node = np.empty(n, dtype=np.int64)
    heap_key = np.empty(n, dtype=np.float64)
    touched = np.empty(n, dtype=np.int64)
    present = np.zeros(n_scenarios, dtype=np.bool_)
    for k in range(place_scenario.size):
        present[place_scenario[k]] = True
    wanted = 0
    for s in range(n_scenarios):
        if present[s]:
            wanted += 1
    best = np.full((n_scenarios, origins.size), np.inf)
    chosen = np.full((n_scenarios, origins.size), -1, dtype=np.int64)
    for i in range(origins.size):
        source = origins[i]
        dist[source] = 0.0
        heap_node[0] = source
        heap_key[0] = 0.0
        pos[source] = 0
        touched[0] = source
        n_touched = 1
        size = 1
        found = 0
        farthest = 0.0
        while size > 0:
            if found == wanted and heap_key[0] > farthest:
                break  # every scenario found, and nothing farther can tie
            u, d, size = _pop(heap_node, heap_key, pos, size)
            for k in range(place_offsets[u], place_offsets[u + 1]):
                s = place_scenario[k]
                f = place_facility[k]
                if best[s, i] == np.inf:
                    best[s, i] = d
                    chosen[s, i] = f
                    found += 1
                    farthest = max(farthest, d)
                elif d == best[s, i] and f < chosen[s, i]:
                    chosen[s, i] = f
            size, n_touched = _relax(
                u, d, indptr, indices, weights, limit, dist, heap_node, heap_key, pos, size,
                touched, n_touched,
            )  # fmt: skip
        for k in range(size):  # what the early stop left in the heap
            pos[heap_node[k]] = -1
        for k in range(n_touched):
            dist[touched[k]] = np.inf
    return best, chosen
