"""Start the Streamlit server for ParaLab: `python -m ui.serve [streamlit run options]`.

Same as `streamlit run app.py`, with one difference: Streamlit treats an app that has a
`pages/` folder as an old-style (v1) multipage app until some session has called
`st.navigation`, so the very first visitor after a (re)start who lands on `/lesson` or
`/lab` gets the folder's file list as navigation. Setting the flag before the server starts
makes every session use the app's own `st.navigation` from the first request.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False  # v2 navigation from the first session on
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
