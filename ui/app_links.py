"""Links of this app that open inside the running app: the course map's cards, a lesson's
table of contents and its Previous / Next.

Each is a real `<a href>` (`lesson?lesson=…&section=…`, the learner's token kept), so a
middle click or "open in new tab" works as on any page, and the HTML is one light element
(a Streamlit v2 component, in the page, no iframe). A plain click (or Enter) does not reload
the app: the page moves the browser's history to the link and tells Streamlit, as the Back
and Forward buttons do; Streamlit then runs the page and query in the address, as
`st.page_link`'s click does — for another page or the same page with another query. Each
such move is a history entry, so Back returns to the section or page before. Should no run
start within 1.5 s while the links are still shown at the link's address (a Streamlit that
stopped following history), the link is loaded as a page: slower, never lost.

`FOLLOW_JS` is the page side, shared by the components that draw such links
(`ui/course_map.py`, `ui/lesson_sections.py`): `follow(root, html)` draws `html` into
`root` when it changed — keeping the keyboard focus on the element of the same id, so a
table of contents redrawn after a click keeps its focused link — resolves the links
(`a[data-app]`) against the app's base URL and opens them in the app on a plain click. A
link marked `data-focus="heading"` (Previous / Next) asks the page it opens to put the
keyboard focus on its heading (`FOCUS_FLAG` in the tab's session storage, for 5 s).
"""

from __future__ import annotations

from urllib.parse import urlencode

from ui.identity import link_params

FOCUS_FLAG = "paralab-focus-heading"

FOLLOW_JS = """
function follow(root, html) {
  if (!root.following) {
    root.following = true;
    // a plain click opens the link in the app; a click meant for a new tab stays a link
    root.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-app]");
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      if (root.pending) return;  // a double click is one move
      if (link.dataset.focus === "heading") {
        sessionStorage.setItem("FOCUS_FLAG", String(Date.now()));
      }
      open(link);
    });
  }

  // Streamlit navigates when the browser's history moves (Back, Forward): it reads the
  // page and query from the address, as st.page_link's click does. If no run has started
  // 1.5 s later while these links are still shown at that address, load it as a page.
  function open(link) {
    const app = document.querySelector("[data-testid='stApp']");
    // a run already going is stopped and rerun for the new address: that counts as started
    let started = !app || app.getAttribute("data-test-script-state") !== "notRunning";
    const watch = new MutationObserver(() => { started = true; });
    if (app) watch.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
    root.pending = true;
    history.pushState(null, "", link.href);
    window.dispatchEvent(new PopStateEvent("popstate", { state: null }));
    setTimeout(() => {
      watch.disconnect();
      root.pending = false;
      if (started || !root.isConnected || location.href !== link.href) return;
      location.replace(link.href);
    }, 1500);
  }

  if (root.html === html) return;
  const focused = root.getRootNode().activeElement;
  const keep = focused && root.contains(focused) && focused.id;
  root.html = html;
  root.innerHTML = html;
  // links relative to the app's base (a proxy prefix kept, with or without a trailing /)
  const base = (window.__streamlit && window.__streamlit.BACKEND_BASE_URL) ||
    new URL(".", location.href).href;
  root.querySelectorAll("a[data-app]").forEach((a) => {
    a.href = new URL(a.getAttribute("href"), base).href;
  });
  if (keep) {
    const again = root.querySelector("#" + CSS.escape(keep));
    if (again) again.focus({ preventScroll: true });
  }
}
""".replace("FOCUS_FLAG", FOCUS_FLAG)


def links_js(root_class: str) -> str:
    """A component's whole page side: its `data.html` drawn by `follow` in a
    `<div class=root_class>`, its links opening in the app."""
    return (
        """
export default function ({ data, parentElement }) {
  let root = parentElement.querySelector(".ROOT");
  if (!root) {
    root = document.createElement("div");
    root.className = "ROOT";
    parentElement.appendChild(root);
  }
  follow(root, data.html);
}
""".replace("ROOT", root_class)
        + FOLLOW_JS
    )


def href(page: str, **query: str) -> str:
    """`page?query` with the learner's token kept, relative to the app's base URL."""
    return f"{page}?" + urlencode({**link_params(), **query})
