"""LaTeX for the output layer: the one printer of :mod:`symdyn.model.printing`, re-exported.

The printer lives in the model layer so that the JSON ``latex`` fields and the ``_repr_latex_``
of derivations, limits and claim results use the same one as the formula sheet and the CLI.

>>> from symdyn.model import symbols as S
>>> latex(2 * S.w * (S.sigma - S.lam * S.w))
'2 w \\\\left(\\\\sigma - \\\\lambda w\\\\right)'
"""

from __future__ import annotations

from symdyn.model.printing import (
    Hypothesis,
    SymdynLatexPrinter,
    hypotheses_latex,
    hypothesis_latex,
    latex,
    limit_lhs_latex,
    text,
)

__all__ = ["Hypothesis", "SymdynLatexPrinter", "hypotheses_latex", "hypothesis_latex", "latex",
           "limit_lhs_latex", "text"]
