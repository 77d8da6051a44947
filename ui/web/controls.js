// The answer controls (ui/controls.py): radio buttons, checkboxes, selects, a number
// field, an essay's text area, built in the page from what Python sends (`data.kind`).
export default function ({ data, setStateValue, parentElement }) {
  let root = parentElement.querySelector(".paralab-answer");
  if (!root) {
    root = document.createElement("div");
    root.className = "paralab-answer";
    parentElement.appendChild(root);
    root.sent = [];
    root.lastData = null;
  }
  const key = (value) => JSON.stringify(value === undefined ? null : value);
  const make = (tag, props) => Object.assign(document.createElement(tag), props || {});

  function send(value) {
    root.sent.push(key(value));
    setStateValue("value", value);
  }

  function sendIfNew(value) {  // a commit that repeats the last one sends nothing
    if (key(value) !== key(root.lastSent)) { root.lastSent = value; send(value); }
  }

  function read() {
    if (data.kind === "radio" || data.kind === "tf" || data.kind === "views") {
      const on = root.querySelector("input:checked");
      return on ? on.value : null;
    }
    if (data.kind === "checkboxes") {
      return [...root.querySelectorAll("input:checked")].map((i) => i.value);
    }
    if (data.kind === "select") return root.querySelector("select").value || null;
    if (data.kind === "essay") return root.querySelector("textarea").value;
    if (data.kind === "matching") {
      const out = {};
      root.querySelectorAll("select").forEach((s) => {
        if (s.value) out[s.dataset.left] = s.value;
      });
      return out;
    }
    return parseNumber(root.querySelector("input").value).value;
  }

  function parseNumber(text) {
    let t = text.trim().replace(/\u2212/g, "-");
    if (!t) return { value: null, error: "" };
    // digits in groups of three may be set apart by a space or a thin space (1 000 000);
    // any other space inside is a mistake, not something to drop silently ("1 2" is not 12)
    if (/^[-+]?\d{1,3}([ \u202f\u2009]\d{3})+(\.\d*)?$/.test(t)) {
      t = t.replace(/[ \u202f\u2009]/g, "");
    }
    const n = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : NaN;
    if (!Number.isFinite(n)) {
      let hint = "";
      if (/^[-+]?\d{1,3}(,\d{3})+$/.test(t)) hint = " Leave out the commas between thousands.";
      else if (/^[-+]?\d+,\d+$/.test(t)) hint = " Use a point for decimals, as in 2.5.";
      return { value: null, error: "“" + text.trim() + "” is not a number." + hint };
    }
    return { value: n, error: "" };
  }

  function show(value) {
    if (data.kind === "radio" || data.kind === "tf" || data.kind === "views") {
      root.querySelectorAll("input").forEach((i) => { i.checked = i.value === value; });
    } else if (data.kind === "checkboxes") {
      const on = new Set(value || []);
      root.querySelectorAll("input").forEach((i) => { i.checked = on.has(i.value); });
    } else if (data.kind === "select") {
      root.querySelector("select").value = value || "";
    } else if (data.kind === "essay") {
      root.querySelector("textarea").value = value || "";
      root.count();
    } else if (data.kind === "matching") {
      root.querySelectorAll("select").forEach((s) => {
        s.value = (value || {})[s.dataset.left] || "";
      });
    } else {
      const input = root.querySelector("input");
      input.value = value === null || value === undefined ? "" : String(value);
      input.removeAttribute("aria-invalid");
      root.querySelector(".err").textContent = "";
    }
  }

  function options(type) {
    const shape = { tf: " row", views: " pills" }[data.kind] || "";
    const group = make("div", { className: "group" + shape + (data.apart ? " apart" : "") });
    group.setAttribute("role", type === "radio" ? "radiogroup" : "group");
    group.setAttribute("aria-label", data.label);
    data.options.forEach((option, n) => {
      const label = make("label", { className: "opt" });
      const input = make("input", { type, name: data.name, value: option.id });
      input.disabled = data.disabled;
      const text = make("span", { id: data.name + "-o" + n, innerHTML: option.html });
      input.setAttribute("aria-labelledby", data.name + "-o" + n);
      input.addEventListener("change", () => send(read()));
      label.append(input, text);
      group.append(label);
    });
    if (!data.shown) return [group];
    const title = make("p", { className: "pick-label", id: data.name + "-label",
                              textContent: data.label });
    group.removeAttribute("aria-label");
    group.setAttribute("aria-labelledby", title.id);
    return [title, group];
  }

  function matching() {
    const group = make("div", { className: "group" });
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", data.label);
    data.left.forEach((item, n) => {
      const row = make("div", { className: "pair" });
      const text = make("span", { id: data.name + "-l" + n, className: "item" });
      text.innerHTML = item.html;
      const select = make("select", { disabled: data.disabled });
      select.dataset.left = item.id;
      select.setAttribute("aria-labelledby", data.name + "-l" + n);
      select.append(make("option", { value: "", textContent: data.placeholder }));
      for (const r of data.right) {
        select.append(make("option", { value: r.id, textContent: r.text }));
      }
      select.addEventListener("change", () => send(read()));
      row.append(text, select);
      group.append(row);
    });
    return [group];
  }

  function pick() {
    const label = make("label", { className: "pick-label", htmlFor: data.name + "-select",
                                  textContent: data.label });
    const select = make("select", { id: data.name + "-select", disabled: data.disabled });
    for (const o of data.options) {
      select.append(make("option", { value: o.id, textContent: o.text }));
    }
    // A pick opens another page, so the keyboard's arrows and letters, which change a
    // closed select at once on Linux and Windows, only move through the list: Enter picks,
    // Escape or leaving the list puts back what is open. A change just after such a key is
    // browsing; any other change (the open list, the mouse, touch) picks at once.
    // Chromium sends the change a task or two after the key, hence a short window.
    let keyAt = -Infinity;
    const commit = () => sendIfNew(read());
    const restore = () => show(root.lastSent);
    select.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {  // picks; it must not also open the list (Chromium)
        event.preventDefault();
        commit();
        return;
      }
      if (event.key === "Escape") { restore(); return; }
      if (/^(Arrow|Page|Home|End)/.test(event.key) || (event.key.length === 1 &&
          event.key !== " ")) {
        keyAt = performance.now();
      }
    });
    select.addEventListener("change", () => { if (performance.now() - keyAt > 250) commit(); });
    select.addEventListener("blur", restore);
    if (data.hint) {
      const hint = make("p", { className: "pick-hint", id: data.name + "-hint",
                               textContent: data.hint });
      select.setAttribute("aria-describedby", hint.id);
      return [label, select, hint];
    }
    return [label, select];
  }

  function essay() {  // sent on leaving the field or Ctrl+Enter, as Streamlit's text area
    const id = data.name + "-text";
    const label = make("label", { className: "pick-label essay-label", htmlFor: id,
                                  textContent: data.label });
    const text = make("textarea", { id, rows: data.rows, disabled: data.disabled,
                                    placeholder: data.placeholder || "", spellcheck: true });
    if (data.max_chars) text.maxLength = data.max_chars;
    const count = make("p", { className: "count", id: id + "-count" });
    text.setAttribute("aria-describedby", count.id);
    root.count = () => {  // words as Python's str.split() counts them, live
      const words = text.value.split(/\s+/).filter(Boolean).length;
      count.textContent = data.disabled ? "" : words + (words === 1 ? " word" : " words") +
        data.need + ". " + data.note;
    };
    text.addEventListener("input", root.count);
    text.addEventListener("change", () => sendIfNew(read()));
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) sendIfNew(read());
    });
    return [label, text, count];
  }

  function number() {
    const row = make("div", { className: "numrow" });
    const input = make("input", {
      type: "text", className: "number", inputMode: "decimal", autocomplete: "off",
      spellcheck: false, placeholder: data.placeholder, disabled: data.disabled,
    });
    input.setAttribute("aria-label", data.label);
    const err = make("p", { className: "err", id: data.name + "-err" });
    err.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", data.name + "-err");
    const commit = () => {
      const { value, error } = parseNumber(input.value);
      if (error) {
        err.textContent = error;
        input.setAttribute("aria-invalid", "true");
      }
      sendIfNew(value);
    };
    // the message goes as soon as the text is edited, not when the field is left: leaving
    // it by pressing Submit must not move Submit between the press and the release
    input.addEventListener("input", () => {
      err.textContent = "";
      input.removeAttribute("aria-invalid");
    });
    input.addEventListener("change", commit);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") commit(); });
    row.append(input);
    if (data.unit) row.append(make("span", { className: "unit", textContent: data.unit }));
    return [row, err];
  }

  const shape = key([data.kind, data.label, data.options, data.left, data.right, data.unit,
                     data.disabled, data.shown, data.apart, data.hint, data.need, data.note]);
  sync(root, shape, data.value, () => {
    root.className = "paralab-answer" + (data.disabled ? " disabled" : "");
    const build = { matching, number, essay, select: pick }[data.kind] ||
      (() => options(data.kind === "checkboxes" ? "checkbox" : "radio"));
    root.replaceChildren(...build());
  }, (value) => { root.lastSent = value; show(value); }, read);
}
