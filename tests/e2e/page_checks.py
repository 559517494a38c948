"""What a layout or accessibility test measures in the browser: overflow, button contrast and axe-core's findings."""

from pathlib import Path

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SERIOUS = ("serious", "critical")

# WCAG 2 contrast of every visible button's text against the colour behind it (the first opaque background up
# the tree, blended over white). Buttons and button-styled links are what the issue found invisible.
_BUTTON_CONTRAST = """
() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [255, 255, 255, 1];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  const behind = (el) => { const layers = [];
    for (let node = el; node; node = node.parentElement) { const c = parse(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let colour = [255, 255, 255]; for (const layer of layers.reverse()) colour = over(layer, colour); return colour; };
  const found = [];
  for (const el of document.querySelectorAll("button, .button, input[type=submit]")) {
    const box = el.getBoundingClientRect(); const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === "hidden" || !(el.innerText || el.value || "").trim()) continue;
    const bg = behind(el); const fg = over(parse(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) found.push({ text: (el.innerText || el.value).trim(), ratio: Math.round(ratio * 100) / 100 });
  }
  return found;
}
"""


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def low_contrast_buttons(page) -> list[dict]:
    return page.evaluate(_BUTTON_CONTRAST)


def serious_axe_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
