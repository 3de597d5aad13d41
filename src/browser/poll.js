// One poll of the waiting primitive: resolve every alternative locator now and check its
// condition, in a single round trip. Returns the first alternative that holds, or, when none
// does, what each one looked like (for the timeout message).
// arguments[0]: [{loc: {many, steps: [{css, filters, index}]}, cond: "present"|"visible"|"actionable"|"hidden"}]
const alts = arguments[0];
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
  return { ok: true, el, all: [el], rect: [r.left, r.top, r.width, r.height] };
};
const states = [];
for (let i = 0; i < alts.length; i++) {
  const c = check(alts[i]);
  if (c.ok) {
    return {
      ok: true, alt: i, el: c.el || null, rect: c.rect || null,
      info: c.el ? info(c.el) : null,
      texts: (c.all || []).map(text),
    };
  }
  states.push(c.state);
}
return { ok: false, states, url: location.href };
