"""Travel-time matrices on the CSR arrays with scipy.sparse.csgraph (multi-source Dijkstra).

networkx (``nx_travel_times``) is kept as the reference implementation the tests compare against.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def travel_times(matrix: sp.csr_matrix, origins: np.ndarray, limit: float = np.inf) -> np.ndarray:
    """Shortest travel cost from each origin node index to every node (rows = origins). inf = unreachable."""
    origins = np.asarray(origins, dtype=np.int64)
    if len(origins) == 0:
        return np.zeros((0, matrix.shape[0]))
    return dijkstra(matrix, directed=True, indices=origins, limit=limit)


def nearest_source_times(matrix: sp.csr_matrix, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cost from the nearest of ``sources`` to every node (one multi-source Dijkstra) and which source."""
    d, _, src = dijkstra(matrix, directed=True, indices=np.asarray(sources, dtype=np.int64), min_only=True,
                         return_predecessors=True)
    return d, src


def nx_travel_times(G, origins, weight: str = "travel_time") -> dict:
    """Reference: networkx single-source Dijkstra per origin → {origin: {node: cost}}."""
    import networkx as nx

    return {o: nx.single_source_dijkstra_path_length(G, o, weight=weight) for o in origins}
