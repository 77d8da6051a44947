"""Run axe-core (npm, installed into .tools/ by scripts/setup.sh dev) on a page in Chromium.

Each violation node is sorted into *ours* (inside the page's own content: the main block or
the sidebar's user content) or the *framework's* (Streamlit's navigation, header, toolbar).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OURS = "[data-testid='stMain'], [data-testid='stSidebarUserContent']"

RUN = """async ([tags, ours]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  const out = [];
  for (const v of result.violations) {
    for (const n of v.nodes) {
      let el = null;
      try { el = document.querySelector(n.target[0]); } catch (e) {}
      out.push({rule: v.id, impact: v.impact, help: v.help, target: n.target.join(" "),
                html: n.html.slice(0, 160), summary: n.failureSummary || "",
                ours: !!(el && el.closest(ours))});
    }
  }
  return out;
}"""


def audit(page) -> list[dict]:
    """Every WCAG 2.0/2.1 A and AA violation node on the page, marked ours or not."""
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run scripts/setup.sh dev (npm axe-core)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN, [TAGS, OURS])


def describe(nodes: list[dict]) -> str:
    return "\n".join(
        f"  {n['rule']} ({n['impact']}): {n['target']}\n    {n['html']}" for n in nodes
    )
