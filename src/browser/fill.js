// Fills text fields in the page (the `then` part of one poll, see `Browser::fill`): for each
// field in order, while it is unique, visible, enabled and not covered: focus, select what it
// holds, set the value through the element's own setter (what frameworks that track the value
// read), then the events typing fires (`input`, `keyup`) and those leaving it fires (`change`,
// and `blur` for a field followed by Tab, or when the next field takes the focus).
// arguments[0]: [{loc, value, tab}] (values are arguments, never script text).
const fields = arguments[0];
let filled = 0;
for (let i = 0; i < fields.length; i++) {
  const f = fields[i];
  const found = resolve(f.loc);
  if (found.length !== 1) break;
  const el = found[0];
  if (!visible(el) || !enabled(el) || el.readOnly || uncovered(el)) break;
  el.focus({ preventScroll: true });
  try { if (typeof el.select === 'function') el.select(); } catch (e) { /* a type without selection */ }
  const proto = Object.getPrototypeOf(el);
  const desc = proto && Object.getOwnPropertyDescriptor(proto, 'value');
  if (desc && desc.set) desc.set.call(el, f.value); else el.value = f.value;
  const last = f.value.length ? f.value[f.value.length - 1] : '';
  const key = { bubbles: true, cancelable: true, composed: true, key: last };
  el.dispatchEvent(new KeyboardEvent('keydown', key));
  el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: f.value }));
  el.dispatchEvent(new KeyboardEvent('keyup', key));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  if (f.tab || i + 1 < fields.length) el.blur();
  filled++;
}
return { filled };
