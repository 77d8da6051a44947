// The lab's run form (ui/spec_form.py): a real <form> of the browser's own controls.
export default function ({ data, setStateValue, parentElement }) {
  let root = parentElement.querySelector("form.paralab-spec");
  if (!root) {
    root = document.createElement("form");
    root.className = "paralab-spec";
    root.noValidate = true;  // our messages, under the field, not the browser's bubbles
    parentElement.appendChild(root);
    root.sent = [];
    root.lastData = null;
    root.addEventListener("submit", (event) => {
      event.preventDefault();
      const bad = [...root.querySelectorAll("input")].filter((i) => !check(i));
      if (bad.length) {
        const closed = bad[0].closest("details");
        if (closed) closed.open = true;
        bad[0].focus();
        return;
      }
      send(read(), String(Date.now()) + "-" + Math.random().toString(36).slice(2));
    });
    const place = (event) => {  // a reason that would run past the form's right edge flips
      const doc = event.target.closest && event.target.closest(".field")?.querySelector(".doc");
      if (!doc) return;
      doc.classList.remove("flip");
      requestAnimationFrame(() => {
        if (doc.getBoundingClientRect().right > root.getBoundingClientRect().right) {
          doc.classList.add("flip");
        }
      });
    };
    root.addEventListener("focusin", place);
    root.addEventListener("pointerover", place);
  }
  const key = (value) => JSON.stringify(value === undefined ? null : value);
  const make = (tag, props) => Object.assign(document.createElement(tag), props || {});
  const byName = Object.fromEntries(data.fields.map((f) => [f.name, f]));

  function send(values, run) {
    root.sent.push(key(values));
    setStateValue("value", { values, run: run || null });
  }

  function check(input) {  // true if the field holds a value it may send; else says why
    const f = byName[input.name];
    const v = input.validity;
    let why = "";
    if (v.badInput || v.valueMissing || input.value.trim() === "") why = "Enter a number";
    else if (v.stepMismatch) why = "A whole number";
    else if (v.rangeUnderflow || v.rangeOverflow) why = "Out of range";
    if (why) why += (f.lo !== null && f.hi !== null) ? `: from ${f.lo} to ${f.hi}.` : ".";
    input.closest(".field").querySelector(".err").textContent = why;
    if (why) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return !why;
  }

  function read() {  // the last good value of each field (a field in error keeps its own)
    const out = Object.assign({}, root.good || data.values);
    root.querySelectorAll("select").forEach((s) => { out[s.name] = s.value; });
    root.querySelectorAll("input").forEach((i) => {
      if (!i.hasAttribute("aria-invalid") && i.value.trim() !== "" && i.validity.valid) {
        out[i.name] = Number(i.value);
      }
    });
    root.good = out;
    return out;
  }

  function show(values) {
    root.good = Object.assign({}, values);
    root.querySelectorAll("select, input").forEach((c) => {
      const v = values[c.name];
      c.value = v === undefined || v === null ? "" : String(v);
      if (c.tagName === "INPUT") check(c);
    });
  }

  function field(f) {
    const box = make("div", { className: "field" });
    const id = data.name + "-" + f.name;
    const label = make("label", { htmlFor: id, textContent: f.label });
    let control;
    if (f.options) {
      control = make("select", { id, name: f.name });
      for (const o of f.options) control.append(make("option", { value: o, textContent: o }));
      control.addEventListener("change", () => send(read()));
    } else {
      control = make("input", { id, name: f.name, type: "number", required: true,
                                inputMode: f.kind === "int" ? "numeric" : "decimal" });
      if (f.lo !== null) control.min = f.lo;
      if (f.hi !== null) control.max = f.hi;
      control.step = f.kind === "int" ? "1" : "any";
      control.addEventListener("input", () => {  // a message goes once the text is edited
        control.removeAttribute("aria-invalid");
        box.querySelector(".err").textContent = "";
      });
      control.addEventListener("change", () => { if (check(control)) send(read()); });
    }
    const described = [];
    if (f.doc) {
      const tip = make("span", { className: "tip", textContent: "?" });
      tip.setAttribute("aria-hidden", "true");
      label.append(tip);
      const doc = make("span", { className: "doc", id: id + "-doc", textContent: f.doc });
      doc.setAttribute("role", "tooltip");
      box.append(label, control, doc);
      described.push(doc.id);
    } else {
      box.append(label, control);
    }
    const err = make("p", { className: "err", id: id + "-err" });
    err.setAttribute("aria-live", "polite");
    described.push(err.id);
    control.setAttribute("aria-describedby", described.join(" "));
    box.append(err);
    return box;
  }

  function grid(fields, columns) {
    const g = make("div", { className: "grid" });
    g.style.setProperty("--cols", String(Math.max(1, Math.min(fields.length, columns))));
    g.append(...fields.map(field));
    return g;
  }

  function build() {
    const main = data.fields.filter((f) => f.main);
    const rest = data.fields.filter((f) => !f.main);
    const parts = [];
    if (main.length) parts.push(grid(main, main.length));  // the main fields: one row
    if (rest.length) {
      const more = make("details");
      more.append(make("summary", { textContent: data.more }), grid(rest, data.columns));
      parts.push(more);
    }
    parts.push(make("button", { type: "submit", className: "run", textContent: data.button }));
    root.replaceChildren(...parts);
  }

  sync(root, key([data.fields, data.more, data.button, data.columns]), data.values, build,
       show, read);
}
