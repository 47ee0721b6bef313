"""Entry point of the Copier task: `{{ _copier_python }} {{ _copier_conf.src_path }}/hooks/run_task.py`.

It imports the `nonroot` package from this template checkout (Copier's Python
may not have nonroot installed), so the task always runs the template's own code.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nonroot.scaffold.task import main  # noqa: E402

sys.exit(main())
