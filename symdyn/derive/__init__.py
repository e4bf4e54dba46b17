"""The derive layer: dynamics, closed forms, bounds, regimes, depth L, derived from the loss.

``symdyn.derive`` is both this package and the function :func:`symdyn.derive.derivation.derive`:
``import symdyn`` loads its names lazily, and once this package is imported the attribute
``symdyn.derive`` is the package, so the package is callable and calls the function.
"""

import sys
import types


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: object, **kwargs: object) -> object:
        from symdyn.derive.derivation import derive

        return derive(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
