// What the page holds and what Python says, reconciled on each call of a component that
// sends its value (`root.sent`: the keys of the values sent, oldest first): the controls are
// built again when their shape changed; else Python's value is shown only when it moved for
// a reason of its own — not when it repeats itself (a rerun that began before the last
// change) nor when it is one this page sent (older sends are then moot), nor when already
// shown.
function sync(root, shape, value, build, show, read) {
  const key = (v) => JSON.stringify(v === undefined ? null : v);
  const incoming = key(value);
  const fresh = incoming !== root.lastData;  // Python's value moved since the last call
  root.lastData = incoming;
  const ours = root.sent.indexOf(incoming);
  if (ours >= 0) root.sent = root.sent.slice(ours + 1);  // Python has this one: older are moot
  if (shape !== root.shape) {
    root.shape = shape;
    build();
    show(value);
  } else if (fresh && ours < 0 && incoming !== key(read())) {
    show(value);
  }
}
