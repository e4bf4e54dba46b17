"""Parameter studies on Dask: a measure over a grid of exact parameters, or the claims' random sweeps.

* :mod:`~symdyn.output.sweep.engine`: chunks as pure tasks on a LocalCluster, a scheduler, or this
  process; Parquet fragments as chunks finish; resume; the atomic join;
* :mod:`~symdyn.output.sweep.grid`: the grid, its cells as rows, the heatmap of a 2-D grid;
* :mod:`~symdyn.output.sweep.claims`: ``symdyn verify``'s random cases, one task each, with the same verdicts.

Dask and pyarrow are imported only when a sweep runs.
"""
