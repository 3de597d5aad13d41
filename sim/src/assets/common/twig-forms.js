/*
 * Behaviours of the server-rendered (Twig) forms of Akeneo 1.7 and 2.x, shared by both
 * generations: Bootstrap tabs, select2-enhanced selects (the native <select> is moved off
 * screen, as select2 3.x does), the user form's "Groups and Roles" error marker, the
 * "There are unsaved changes." indicator, and a few more jQuery-like methods on the page's `$`.
 * Vanilla JS, no build.
 */
(function () {
  'use strict';

  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function one(sel, root) { return (root || document).querySelector(sel); }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' }[c];
    });
  }

  /** Adds val/trigger/click/text/attr/each to the page's `$` (keeps its `active` counter). */
  function wrapJQuery() {
    var base = window.jQuery;
    if (!base || base.__twig) { return; }
    var wrapped = function (sel) {
      var o = base(sel);
      var els = [];
      for (var i = 0; i < o.length; i++) { els.push(o.get(i)); }
      o.val = function (v) {
        if (v === undefined) { return els[0] ? els[0].value : undefined; }
        els.forEach(function (e) { e.value = v; });
        return o;
      };
      o.trigger = function (type) {
        els.forEach(function (e) { e.dispatchEvent(new Event(type, { bubbles: true })); });
        return o;
      };
      o.change = function () { return o.trigger('change'); };
      o.click = function () { els.forEach(function (e) { e.click(); }); return o; };
      o.text = function () { return els.map(function (e) { return e.textContent; }).join(''); };
      o.attr = function (n) { return els[0] ? els[0].getAttribute(n) : undefined; };
      o.hasClass = function (c) { return els.some(function (e) { return e.classList.contains(c); }); };
      o.each = function (fn) { els.forEach(function (e, i) { fn.call(e, i, e); }); return o; };
      o.prop = function (n, v) {
        if (v === undefined) { return els[0] ? els[0][n] : undefined; }
        els.forEach(function (e) { e[n] = v; });
        return o;
      };
      return o;
    };
    Object.defineProperty(wrapped, 'active', { get: function () { return base.active; } });
    wrapped.__twig = true;
    window.jQuery = window.$ = wrapped;
  }

  /** Bootstrap tabs (`a[data-toggle=tab]`): activates the `li` and the pane of its href. */
  function tabs(root, onShow) {
    all('a[data-toggle="tab"]', root).forEach(function (a) {
      if (a.__tab) { return; }
      a.__tab = true;
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        var li = a.parentNode;
        all(':scope > li', li.parentNode).forEach(function (x) {
          x.classList.remove('active', 'AknHorizontalNavtab-item--active');
        });
        li.classList.add('active');
        if (li.classList.contains('AknHorizontalNavtab-item')) { li.classList.add('AknHorizontalNavtab-item--active'); }
        var pane = one(a.getAttribute('href'), root);
        if (pane) {
          all(':scope > .tab-pane', pane.parentNode).forEach(function (p) { p.classList.remove('active'); });
          pane.classList.add('active');
        }
        if (onShow) { onShow(a, pane); }
      });
    });
  }

  var drop = null;
  function closeDrop() {
    if (drop && drop.parentNode) { drop.parentNode.removeChild(drop); }
    var mask = one('#select2-drop-mask');
    if (mask) { mask.parentNode.removeChild(mask); }
    all('.select2-dropdown-open').forEach(function (c) { c.classList.remove('select2-dropdown-open', 'select2-container-active'); });
    drop = null;
  }

  /** select2 3.x look-alike: the native select goes off screen, a container shows the choice. */
  function select2(select) {
    if (select.__select2) { return; }
    select.__select2 = true;
    var container = document.createElement('div');
    container.className = 'select2-container AknSelectField';
    container.id = 's2id_' + select.id;
    container.innerHTML = '<a href="javascript:void(0)" class="select2-choice" tabindex="-1"><span class="select2-chosen"></span>' +
      '<abbr class="select2-search-choice-close"></abbr><span class="select2-arrow"><b></b></span></a>';
    select.parentNode.insertBefore(container, select);
    select.classList.add('select2-offscreen');
    select.setAttribute('tabindex', '-1');
    function sync() {
      var opt = select.options[select.selectedIndex];
      one('.select2-chosen', container).textContent = opt ? opt.textContent : '';
      container.classList.toggle('select2-default', !select.value);
    }
    select.addEventListener('change', sync);
    sync();
    one('.select2-choice', container).addEventListener('click', function (ev) {
      ev.preventDefault();
      var wasOpen = drop && drop.__for === select;
      closeDrop();
      if (wasOpen) { return; }
      var mask = document.createElement('div');
      mask.id = 'select2-drop-mask';
      mask.className = 'select2-drop-mask';
      mask.addEventListener('click', closeDrop);
      document.body.appendChild(mask);
      drop = document.createElement('div');
      drop.__for = select;
      drop.id = 'select2-drop';
      drop.className = 'select2-drop select2-drop-active';
      var r = container.getBoundingClientRect();
      drop.style.top = (r.bottom + window.scrollY) + 'px';
      drop.style.left = (r.left + window.scrollX) + 'px';
      drop.style.width = r.width + 'px';
      drop.innerHTML = '<ul class="select2-results">' + Array.prototype.map.call(select.options, function (o, i) {
        if (!o.value && select.getAttribute('data-placeholder')) { return ''; }
        return '<li class="select2-results-dept-0 select2-result select2-result-selectable' + (o.selected ? ' select2-highlighted' : '') +
          '" data-index="' + i + '"><div class="select2-result-label">' + esc(o.textContent) + '</div></li>';
      }).join('') + '</ul>';
      document.body.appendChild(drop);
      container.classList.add('select2-dropdown-open', 'select2-container-active');
      all('.select2-result-selectable', drop).forEach(function (li) {
        li.addEventListener('mouseenter', function () {
          all('.select2-highlighted', drop).forEach(function (x) { x.classList.remove('select2-highlighted'); });
          li.classList.add('select2-highlighted');
        });
        li.addEventListener('click', function () {
          select.selectedIndex = parseInt(li.getAttribute('data-index'), 10);
          closeDrop();
          select.dispatchEvent(new Event('change', { bubbles: true }));
        });
      });
    });
  }

  /** The user form: "Groups and Roles" tab flagged while no role is ticked. */
  function userForm(form) {
    var box = one('#pim_user_user_form_rolesCollection', form);
    var link = one('a[href="#pim_user-user-tab-group_and_role"]', form);
    if (!box || !link) { return; }
    function mark() {
      var none = !all('input[type=checkbox]', box).some(function (c) { return c.checked; });
      link.classList.toggle('AknHorizontalNavtab-link--errored', none);
      link.classList.toggle('error', none);
    }
    box.addEventListener('change', mark);
    mark();
  }

  /** "There are unsaved changes." once a field changes. */
  function updatedListener(form) {
    var st = one('#entity-updated', form);
    if (!st) { return; }
    function on() { st.classList.add('updated-status--visible'); }
    form.addEventListener('input', on);
    form.addEventListener('change', on);
  }

  /** Enhances a freshly injected Twig form (or page). */
  function enhance(root) {
    tabs(root);
    all('select.select2', root).forEach(select2);
    all('form', root).forEach(function (f) { userForm(f); updatedListener(f); });
  }

  /** A validation icon as the server renders it. */
  function tooltip(message) {
    return '<i class="AknIconButton AknIconButton--important icon-warning-sign validation-tooltip" data-placement="right" ' +
      'data-toggle="tooltip" data-original-title="' + esc(message) + '"></i>';
  }

  // select2 3.x styles (the native select sits off screen, as with the real plugin).
  var css = document.createElement('style');
  css.textContent =
    '.select2-offscreen{position:absolute!important;left:-10000px!important;top:auto!important;width:1px!important;height:1px!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;border:0!important;padding:0!important;margin:0!important;}' +
    '.select2-container{position:relative;display:inline-block;width:100%;max-width:560px;}' +
    '.select2-choice{display:flex;align-items:center;justify-content:space-between;height:32px;padding:0 8px;border:1px solid #ccd1d8;border-radius:2px;background:#fff;color:#11324d;}' +
    '.select2-default .select2-chosen{color:#a1a9b7;}' +
    '.select2-arrow b{display:inline-block;border:5px solid transparent;border-top-color:#67768a;margin-top:5px;}' +
    '.select2-drop{position:absolute;z-index:9999;background:#fff;border:1px solid #9452ba;border-top:0;}' +
    '.select2-drop-mask{position:fixed;inset:0;z-index:9998;}' +
    '.select2-results{list-style:none;margin:0;padding:4px 0;max-height:200px;overflow:auto;}' +
    '.select2-result-label{padding:6px 10px;cursor:pointer;color:#11324d;}' +
    '.select2-highlighted{background:#9452ba;}.select2-highlighted .select2-result-label{color:#fff;}' +
    '.AknChoicesField{display:flex;flex-wrap:wrap;gap:6px 18px;}';
  (document.head || document.documentElement).appendChild(css);

  window.PimTwig = { wrapJQuery: wrapJQuery, tabs: tabs, select2: select2, enhance: enhance, tooltip: tooltip, esc: esc, closeDrop: closeDrop };
}());
