"""ParaLab: learn how large language models are spread across GPUs.

Run it with `streamlit run app.py` (the README's one-command set-up does this for you).
This file only builds the navigation; every page is a thin file in `pages/`.
"""

from pathlib import Path

import streamlit as st

from ui.navigation import PAGES
from ui.roles import instructor_enabled

# A local icon: a ":material/..." icon would make every browser fetch it from a font CDN.
st.set_page_config(
    page_title="ParaLab",
    page_icon=str(Path(__file__).parent / "content" / "favicon.png"),
    layout="wide",
)

sections: dict[str, list] = {}
for entry in PAGES:
    if entry.section == "Instructor" and not instructor_enabled():
        continue
    page = st.Page(entry.script, title=entry.title, icon=entry.icon, url_path=entry.url_path,
                   default=entry.default)  # fmt: skip
    sections.setdefault(entry.section, []).append(page)
st.navigation(sections, expanded=True).run()
