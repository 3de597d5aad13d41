// One round trip of the waiting primitive (an asynchronous script): resolve every alternative
// locator and check its condition, again on every animation frame, until one holds or the
// slice of time is spent. Returns the first alternative that holds, or, when none does, what
// each one looked like (for the timeout message). `actionable` also needs the element's rect
// to stay the same over two consecutive frames.
// arguments[0]: [{loc: {many, steps: [{css, filters, index}]}, cond: "present"|"visible"|"actionable"|"hidden"}]
// arguments[1]: {slice: ms, click: bool, typed: [{loc, value}], then: bool, thenArgs: [...],
//                staleOrigin: number|null, navigate: url|null}
//   click: once the alternative holds, click its element in the page (see `fire`);
//   typed: values typed earlier, checked first (values are arguments, never script text);
//   then:  run the `__then` function prepended to this script on success, return its value;
//   staleOrigin: the `performance.timeOrigin` of a document replaced by a reload: while it is
//   still the one shown, nothing holds. Every answer carries the document's `origin`;
//   navigate: first go to this URL when it is the same document with another fragment (a hash
//   route: exactly what WebDriver's Navigate To does then), after checking `typed`, and check
//   once the page's `hashchange` listeners ran; another document: `navigateRefused`.
// arguments[2]: the callback.
const alts = arguments[0];
const opts = arguments[1] || {};
const reply = arguments[arguments.length - 1];
// Answer once. A document that unloads while this script waits for the next frame answers
// "navigating" at once: chromedriver reports such a script as failed, but geckodriver would
// keep the call open until the script timeout.
let answered = false;
const done = (v) => {
  if (answered) return;
  answered = true;
  window.removeEventListener('pagehide', onHide);
  reply(v);
};
const onHide = () => done({ ok: false, states: ['navigating (the document is being replaced)'], url: location.href });
window.addEventListener('pagehide', onHide);
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const text = (el) => norm(el.textContent);
const visible = (el) => {
  if (!el || !el.isConnected) return false;
  if (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  const cs = getComputedStyle(el);
  return cs.visibility !== 'hidden' && cs.display !== 'none';
};
const describe = (el) => {
  if (!el) return 'nothing';
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  const cls = (el.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean).slice(0, 4);
  if (cls.length) d += '.' + cls.join('.');
  return d;
};
const busy = () => {
  if (document.readyState !== 'complete') return 'document ' + document.readyState;
  if (window.jQuery && window.jQuery.active > 0) return 'XHR in flight (jQuery.active=' + window.jQuery.active + ')';
  for (const m of document.querySelectorAll('.loading-mask, .AknLoadingMask')) {
    if (visible(m)) return 'loading mask visible (' + describe(m) + ')';
  }
  return null;
};
const test = (el, f) => {
  if ('text' in f) return text(el) === f.text;
  if ('contains' in f) return text(el).includes(f.contains);
  if ('attr' in f) return el.hasAttribute(f.attr);
  if ('has' in f) return el.querySelector(f.has) !== null;
  if ('hasText' in f) return [...el.querySelectorAll(f.hasText[0])].some((d) => text(d) === f.hasText[1]);
  if ('cls' in f) return el.classList.contains(f.cls);
  if ('notCls' in f) return !el.classList.contains(f.notCls);
  if ('value' in f) return el.value === f.value;
  if ('checked' in f) return !!el.checked === f.checked;
  if ('location' in f) return location.href.includes(f.location);
  if ('nonEmpty' in f) return text(el) !== '';
  if ('visible' in f) return visible(el);
  if ('any' in f) return f.any.some((g) => test(el, g));
  return false;
};
const byText = (f) => 'text' in f || 'contains' in f || ('any' in f && f.any.some(byText));
const resolve = (loc) => {
  let scope = [document];
  for (const step of loc.steps) {
    const seen = new Set();
    let cands = [];
    for (const s of scope) {
      for (const el of s.querySelectorAll(step.css)) {
        if (!seen.has(el)) { seen.add(el); cands.push(el); }
      }
    }
    for (const f of step.filters) cands = cands.filter((el) => test(el, f));
    if (step.filters.some(byText)) {
      // A text match also matches every ancestor inside the selector: keep the deepest.
      cands = cands.filter((el) => !cands.some((o) => o !== el && el.contains(o)));
    }
    if (step.index !== null && step.index !== undefined) cands = step.index < cands.length ? [cands[step.index]] : [];
    scope = cands;
  }
  return scope;
};
const info = (el) => ({
  text: text(el),
  value: 'value' in el && typeof el.value === 'string' ? el.value : null,
  classes: [...el.classList],
  checked: el.type === 'checkbox' || el.type === 'radio' ? !!el.checked : null,
  tip: el.getAttribute('data-original-title') || el.getAttribute('title') || '',
});
const enabled = (el) => !el.disabled && !el.closest('fieldset[disabled]') &&
  el.getAttribute('aria-disabled') !== 'true' && !el.classList.contains('AknButton--disabled');
const uncovered = (el) => {
  let r = el.getBoundingClientRect();
  const inView = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  if (!inView) { el.scrollIntoView({ block: 'center', inline: 'center' }); r = el.getBoundingClientRect(); }
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (!hit) return 'centre (' + Math.round(x) + ',' + Math.round(y) + ') is outside the viewport';
  if (hit === el || el.contains(hit)) return null;
  if (hit.tagName === 'LABEL' && hit.control === el) return null;
  return 'covered by ' + describe(hit);
};
const check = (alt) => {
  const cands = resolve(alt.loc);
  const many = alt.loc.many;
  if (alt.cond === 'hidden') {
    const shown = cands.filter(visible);
    return shown.length === 0 ? { ok: true } : { ok: false, state: shown.length + ' still visible (' + describe(shown[0]) + ')' };
  }
  if (cands.length === 0) return { ok: false, state: 'no match' };
  if (!many && cands.length > 1) return { ok: false, state: cands.length + ' matches, expected one (' + cands.slice(0, 3).map(describe).join(', ') + ')' };
  if (alt.cond === 'present') return { ok: true, el: cands[0], all: cands };
  const shown = cands.filter(visible);
  if (shown.length === 0) return { ok: false, state: 'not visible (' + describe(cands[0]) + ')' };
  const b = busy();
  if (b) return { ok: false, state: b };
  if (alt.cond === 'visible') return { ok: true, el: shown[0], all: shown };
  const el = shown[0];
  if (!enabled(el)) return { ok: false, state: 'disabled (' + describe(el) + ')' };
  const cov = uncovered(el);
  if (cov) return { ok: false, state: cov };
  const r = el.getBoundingClientRect();
  return { ok: true, el, all: [el], rect: [r.left, r.top, r.width, r.height].map(Math.round) };
};
// The values typed since the last poll: each field must hold exactly what was typed.
const typed = () => {
  for (let i = 0; i < (opts.typed || []).length; i++) {
    const t = opts.typed[i];
    const cands = resolve(t.loc);
    if (cands.length !== 1) return { ok: false, state: 'the field typed into is gone (' + cands.length + ' matches)' };
    const v = 'value' in cands[0] ? cands[0].value : null;
    if (v !== t.value) return { ok: false, mismatch: i, value: v };
  }
  return { ok: true };
};
// A click as a mouse produces it, on what a click at the element's centre hits (the element
// or a descendant; `uncovered` checked it): pointer/mouse down, focus, up, then the click,
// which runs the activation behaviour (follow a link, toggle a checkbox, submit a form).
const fire = (el) => {
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  const target = hit && (hit === el || el.contains(hit) || (hit.tagName === 'LABEL' && hit.control === el)) ? hit : el;
  const o = { bubbles: true, cancelable: true, composed: true, view: window, clientX: x, clientY: y, button: 0, buttons: 1, detail: 1 };
  const P = window.PointerEvent || MouseEvent;
  target.dispatchEvent(new P('pointerdown', Object.assign({ pointerType: 'mouse', isPrimary: true }, o)));
  if (target.dispatchEvent(new MouseEvent('mousedown', o))) {
    const f = target.closest('a[href], button, input, select, textarea, [tabindex]');
    // A mouse's focus: no keyboard focus ring (`:focus-visible`), whatever input came before.
    if (f && f.focus) f.focus({ preventScroll: true, focusVisible: false });
  }
  const u = Object.assign({}, o, { buttons: 0 });
  target.dispatchEvent(new P('pointerup', Object.assign({ pointerType: 'mouse', isPrimary: true }, u)));
  target.dispatchEvent(new MouseEvent('mouseup', u));
  // `click()` where the target has it (HTML elements); an SVG child gets the event itself, and
  // its activatable ancestor (a button, a link) runs the default action as for a real click.
  if (typeof target.click === 'function') target.click();
  else target.dispatchEvent(new MouseEvent('click', u));
};
const NATIVE_ONLY = 'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset]), select, textarea, option, [contenteditable=""], [contenteditable=true]';
const once = () => {
  const states = [];
  for (let i = 0; i < alts.length; i++) {
    const c = check(alts[i]);
    if (c.ok) return Object.assign(c, { i });
    states.push(c.state);
  }
  return { ok: false, states };
};
const started = Date.now();
const slice = Math.max(0, opts.slice || 0);
let last = null;
let prev = null;
const origin = performance.timeOrigin;
const tick = () => {
  let r;
  try {
    if (opts.staleOrigin !== undefined && opts.staleOrigin !== null && origin === opts.staleOrigin) {
      done({ ok: false, states: ['the document before the reload is still shown'], url: location.href, origin });
      return;
    }
    const t = typed();
    if (t.mismatch !== undefined) { done({ ok: false, typedMismatch: t.mismatch, typedValue: t.value, states: [], url: location.href }); return; }
    r = once();
    if (!t.ok && !(r.ok && alts[r.i].sentinel)) r = { ok: false, states: [t.state] };
  } catch (e) {
    r = { ok: false, states: ['script error: ' + e] };
  }
  if (r.ok) {
    const key = r.rect ? r.i + ':' + r.rect.join(',') : null;
    const stable = alts[r.i].cond !== 'actionable' || (key !== null && key === last);
    prev = last;
    last = key;
    if (stable) {
      const out = {
        ok: true, alt: r.i, el: r.el || null, stable: true,
        info: r.el ? info(r.el) : null,
        texts: (r.all || []).map(text),
        typedOk: true,
        origin,
        navigated: !!nav,
      };
      try {
        // Text fields, selects and editable regions (caret, IME, native pickers) get
        // WebDriver's own click instead: the caller is told to make it.
        if (opts.click && r.el && !alts[r.i].sentinel) {
          if (r.el.matches(NATIVE_ONLY)) out.clicked = false;
          else {
            fire(r.el);
            out.clicked = true;
            // A click that removed its element (a dialog's OK): returning the detached node would
            // make WebDriver answer "stale element" and lose the fact that the click happened.
            if (!r.el.isConnected) out.el = null;
          }
        }
        if (opts.then && typeof __then === 'function' && !alts[r.i].sentinel) out.then = __then.apply(null, opts.thenArgs || []);
      } catch (e) {
        done({ ok: false, states: ['script error: ' + e], url: location.href });
        return;
      }
      done(out);
      return;
    }
  } else {
    last = null;
  }
  if (Date.now() - started >= slice) {
    done({ ok: false, states: r.ok ? ['moving (rect changed between two frames: ' + prev + ' then ' + last + ')'] : r.states, url: location.href, origin });
    return;
  }
  // Next animation frame (a timer when frames are not running, e.g. a hidden window).
  let fired = false;
  const next = () => { if (!fired) { fired = true; tick(); } };
  requestAnimationFrame(next);
  setTimeout(next, 50);
};
const nav = opts.navigate;
if (!nav) {
  tick();
} else {
  const target = new URL(nav, location.href);
  const here = new URL(location.href);
  const doc = (u) => u.origin + u.pathname + u.search;
  const t = typed();
  if (t.mismatch !== undefined) {
    done({ ok: false, typedMismatch: t.mismatch, typedValue: t.value, states: [], url: location.href, origin });
  } else if (!t.ok) {
    done({ ok: false, states: [t.state], url: location.href, origin });
  } else if (doc(target) !== doc(here) || (opts.staleOrigin !== undefined && opts.staleOrigin !== null && origin === opts.staleOrigin)) {
    done({ ok: false, navigateRefused: true, states: [], url: location.href, origin });
  } else if (target.hash === here.hash) {
    tick();
  } else {
    let going = false;
    const go = () => { if (!going) { going = true; tick(); } };
    // Our listener runs after the router's (registered earlier), so the route has started.
    window.addEventListener('hashchange', go, { once: true });
    setTimeout(go, 250);
    location.href = target.href;
  }
}
