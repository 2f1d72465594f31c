"""Import Evidently beside pandas 3.

Evidently 0.7.x imports `infer_dtype_from_object` from `pandas.core.dtypes.common` (in its legacy test
suite, which `import evidently` loads); pandas 3 removed that private helper, so the import fails. We define
the helper the way pandas 2 used it (a dtype-like → its scalar type) before importing Evidently. Delete this
module, and import evidently directly, once Evidently stops importing it.
"""

from __future__ import annotations

import pandas as pd
import pandas.core.dtypes.common as _common

if not hasattr(_common, "infer_dtype_from_object"):

    def infer_dtype_from_object(dtype):  # noqa: ANN001, ANN201 - pandas' own signature
        return pd.api.types.pandas_dtype(dtype).type

    _common.infer_dtype_from_object = infer_dtype_from_object

from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

__all__ = ["DataDriftPreset", "Report"]
