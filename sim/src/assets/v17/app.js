/*
 * Akeneo PIM 1.7 look-alike page script: oro/layout (shows #page), Oro hash navigation
 * (links become #url=/path, pages are fetched with `x-oro-hash-navigation: true` and answered
 * with JSON; forms are ajaxSubmitted the same way), APY JSFV-like client validation of the user
 * form, the role form's icon toggles, Oro datagrids (pager, page size, 1.7 loading mask with
 * #loading-wrapper) and flash messages. Vanilla JS, no build.
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

  // `$.active` like jQuery, for Behat-style waits.
  var active = 0;
  var $shim = function (sel) {
    var els = typeof sel === 'string' ? all(sel) : [sel];
    return {
      length: els.length,
      get: function (i) { return els[i]; },
      css: function (p) { return els[0] ? getComputedStyle(els[0])[p] : undefined; },
      is: function (q) { return els.some(function (e) { return q === ':visible' ? !!(e.offsetWidth || e.offsetHeight) : e.matches(q); }); }
    };
  };
  Object.defineProperty($shim, 'active', { get: function () { return active; } });
  window.jQuery = window.$ = $shim;
  if (window.PimTwig) { window.PimTwig.wrapJQuery(); }

  function request(method, url, body, headers) {
    return new Promise(function (resolve) {
      var r = new XMLHttpRequest();
      r.open(method, url, true);
      r.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      Object.keys(headers || {}).forEach(function (k) { r.setRequestHeader(k, headers[k]); });
      active++;
      r.onloadend = function () {
        var json = null;
        try { json = JSON.parse(r.responseText); } catch (e) { json = null; }
        if (r.status === 401) { window.location = '/user/login'; return; }
        resolve({ status: r.status, text: r.responseText, json: json });
        setTimeout(function () { active--; }, 0);
      };
      r.send(body == null ? null : body);
    });
  }

  // ------------------------------------------------------------------ flash messages
  function notify(type, message) {
    var holder = one('#flash-messages .flash-messages-holder');
    if (!holder) { return; }
    var el = document.createElement('div');
    el.className = 'AknFlash alert alert-' + type + ' AknFlash--' + type + ' fade in top-messages';
    el.innerHTML = '<a class="close" data-dismiss="alert">&times;</a><div class="message">' + esc(message) + '</div>';
    holder.appendChild(el);
    armFlash(el);
  }
  function armFlash(el) {
    var close = function () { el.classList.remove('in'); setTimeout(function () { if (el.parentNode) { el.parentNode.removeChild(el); } }, 500); };
    var x = one('.close', el);
    if (x) { x.addEventListener('click', close); }
    setTimeout(close, 5000);
  }

  // ------------------------------------------------------------------ loading masks
  function maskHtml() {
    return '<div class="loading-mask" style="display: none;"><div id="loading-wrapper" class="AknLoadingMask-wrapper loading-wrapper"></div>' +
      '<div id="loading-frame" class="AknLoadingMask-frame loading-frame"><div class="box"><span>Loading...</span></div></div></div>';
  }
  function hashMask(show) {
    var m = one('.hash-loading-mask .loading-mask');
    if (m) { m.style.display = show ? 'block' : 'none'; }
  }

  // ------------------------------------------------------------------ hash navigation
  var HASH = { 'x-oro-hash-navigation': 'true' };
  var seq = 0;
  function currentUrl() {
    var m = /^#url=(.*)$/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : location.pathname + location.search;
  }
  function go(url) {
    var target = '#url=' + url;
    if (location.hash === target) { load(url); } else { location.hash = target; }
  }
  function handle(r, mine) {
    if (mine !== seq) { return; }
    var d = r.json;
    if (!d) {
      notify('error', 'An error occurred while loading the page.');
      hashMask(false);
      return;
    }
    if (d.redirect) {
      if (d.fullRedirect) { window.location = d.location; return; }
      go(d.location);
      return;
    }
    document.title = d.title || document.title;
    var menu = one('#main-menu');
    if (menu && d.mainMenu) { menu.outerHTML = d.mainMenu; }
    var container = one('#container');
    if (window.PimTwig) { window.PimTwig.closeDrop(); }
    container.innerHTML = d.content || '';
    Object.keys(d.flashMessages || {}).forEach(function (type) {
      d.flashMessages[type].forEach(function (m) { notify(type, m); });
    });
    init(container);
    window.scrollTo(0, 0);
    hashMask(false);
  }
  function load(url) {
    var mine = ++seq;
    hashMask(true);
    request('GET', url, null, HASH).then(function (r) { handle(r, mine); });
  }
  function submit(form) {
    var mine = ++seq;
    hashMask(true);
    var multipart = (form.getAttribute('enctype') || '').indexOf('multipart') >= 0;
    var body, headers = { 'x-oro-hash-navigation': 'true' };
    if (multipart) {
      body = new FormData(form);
      body.append('x-oro-hash-navigation', 'true');
    } else {
      var params = new URLSearchParams(new FormData(form));
      params.append('x-oro-hash-navigation', 'true');
      body = params.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
    }
    request('POST', form.getAttribute('action') || currentUrl(), body, headers).then(function (r) { handle(r, mine); });
  }

  document.addEventListener('click', function (ev) {
    var a = ev.target.closest && ev.target.closest('a[href]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
    var href = a.getAttribute('href');
    if (!href || href.charAt(0) !== '/' || a.hasAttribute('data-nohash') || a.classList.contains('no-hash') || a.target) { return; }
    if (/^\/(user\/logout|user\/login|bundles\/)/.test(href)) { return; }
    ev.preventDefault();
    go(href);
  });
  window.addEventListener('hashchange', function () { load(currentUrl()); });

  // ------------------------------------------------------------------ JSFV (user form)
  var EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  function jsfv(form) {
    if (form.id !== 'pim_user_user_form') { return true; }
    all('.validation-tooltip.jsfv', form).forEach(function (t) {
      var c = t.closest('.field-input');
      if (c) { c.classList.remove('validation-error'); }
      t.parentNode.removeChild(t);
    });
    var errors = [];
    function check(field, test, message) {
      var el = one('#pim_user_user_form_' + field, form);
      if (!el || test(el.value.trim())) { return; }
      errors.push(field);
      var box = el.closest('.field-input');
      if (!box || one('.validation-tooltip', box)) { return; }
      box.classList.add('validation-error');
      var icons = one('.icons-container', box);
      icons.insertAdjacentHTML('beforeend', window.PimTwig.tooltip(message).replace('validation-tooltip', 'validation-tooltip jsfv'));
    }
    var notBlank = function (v) { return v.length > 0; };
    check('enabled', notBlank, 'This value should not be blank.');
    check('username', notBlank, 'This value should not be blank.');
    check('username', function (v) { return !v || v.length >= 3; }, 'This value is too short. It should have 3 characters or more.');
    check('firstName', notBlank, 'This value should not be blank.');
    check('lastName', notBlank, 'This value should not be blank.');
    check('email', notBlank, 'This value should not be blank.');
    check('email', function (v) { return !v || EMAIL.test(v); }, 'This value is not a valid email address.');
    if (errors.length) {
      var link = one('a[href="#pim_user-user-tab-general"]', form);
      if (link) { link.classList.add('AknHorizontalNavtab-link--errored', 'error'); }
    }
    return errors.length === 0;
  }

  // ------------------------------------------------------------------ role form (1.7 toggles)
  var GRANTED = ['icon-ok', 'AknAcl-icon--granted', 'granted'];
  var DENIED = ['icon-remove', 'AknAcl-icon--nonGranted', 'non-granted'];
  function setToggle(t, on) {
    (on ? DENIED : GRANTED).forEach(function (c) { t.classList.remove(c); });
    (on ? GRANTED : DENIED).forEach(function (c) { t.classList.add(c); });
    var box = one('input[type=checkbox]', t.parentNode);
    if (box) { box.checked = on; box.dispatchEvent(new Event('change', { bubbles: true })); }
  }
  function decorateTabs(form) {
    all('.AknVerticalNavtab a[data-toggle="tab"]', form).forEach(function (a) {
      var pane = one(a.getAttribute('href'), form);
      var toggles = pane ? all('.acl-permission-toggle', pane) : [];
      var on = toggles.filter(function (t) { return t.classList.contains('granted'); }).length;
      var icon = one('.acl-group-permission-toggle', a);
      if (!icon) { return; }
      icon.classList.remove('icon-ok', 'icon-remove', 'icon-circle');
      icon.classList.add(toggles.length && on === toggles.length ? 'icon-ok' : (on ? 'icon-circle' : 'icon-remove'));
    });
  }
  function roleForm(form) {
    all('.acl-permission .acl-permission-toggle', form).forEach(function (t) {
      t.addEventListener('click', function (ev) {
        ev.preventDefault();
        setToggle(t, !t.classList.contains('granted'));
        decorateTabs(form);
      });
    });
    all('.acl-group-permission-toggle', form).forEach(function (icon) {
      icon.addEventListener('click', function () {
        // The link's own handler opens the pane (the icon is inside it).
        var pane = one(icon.closest('a').getAttribute('href'), form);
        var grant = !icon.classList.contains('icon-ok');
        all('.acl-permission-toggle', pane).forEach(function (t) { setToggle(t, grant); });
        decorateTabs(form);
      });
    });
    var gridEl = one('#grid-pim-role-user-grid', form);
    if (!gridEl) { return; }
    var appendInput = one('#roleAppendUsers', form), removeInput = one('#roleRemoveUsers', form);
    var ids = function (s) { return s ? s.split(',').filter(Boolean) : []; };
    var included = ids(appendInput.value), excluded = ids(removeInput.value);
    var m = /\/user\/role\/update\/(\d+)$/.exec(form.getAttribute('action'));
    var roleId = m ? m[1] : '';
    var checked = function (row) {
      var id = String(row.id);
      return included.indexOf(id) >= 0 || (row.has_role && excluded.indexOf(id) < 0);
    };
    grid(gridEl, {
      name: 'pim-role-user-grid', sort: ['has_role', 'DESC'], params: { role_id: roleId },
      columns: [['has_role', 'Has role'], ['firstName', 'First name'], ['lastName', 'Last name'], ['username', 'Username'], ['email', 'Email']],
      cell: function (row, c) {
        if (c !== 'has_role') { return null; }
        return '<td class="AknGrid-bodyCell AknGrid-bodyCell--tight boolean-cell editable"><input type="checkbox" tabindex="-1"' + (checked(row) ? ' checked="checked"' : '') + '></td>';
      },
      rowClick: function (row, tr, ev) {
        var box = one('td.boolean-cell input[type=checkbox]', tr);
        if (ev.target !== box) { box.checked = !box.checked; }
        var id = String(row.id);
        included = included.filter(function (x) { return x !== id; });
        excluded = excluded.filter(function (x) { return x !== id; });
        if (box.checked && !row.has_role) { included.push(id); }
        if (!box.checked && row.has_role) { excluded.push(id); }
        appendInput.value = included.join(',');
        removeInput.value = excluded.join(',');
        appendInput.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
  }

  // ------------------------------------------------------------------ Oro datagrid
  /** opts: name, columns [[name,label]], sort, params, cell(row,col), rowClick(row,tr,ev) */
  function grid(el, opts) {
    var state = { page: 1, perPage: 25, total: 0, rows: [] };
    try {
      var data = JSON.parse(el.getAttribute('data-data') || '{}');
      state.rows = data.data || [];
      state.total = (data.options && data.options.totalRecords) || 0;
    } catch (e) { state.rows = []; }
    function pages() { return Math.max(1, Math.ceil(state.total / state.perPage)); }
    function url(page) {
      var n = opts.name, p = {};
      p[n + '[_pager][_page]'] = page;
      p[n + '[_pager][_per_page]'] = state.perPage;
      if (opts.sort) { p[n + '[_sort_by][' + opts.sort[0] + ']'] = opts.sort[1]; }
      Object.keys(opts.params || {}).forEach(function (k) { p[n + '[' + k + ']'] = opts.params[k]; });
      return '/datagrid/' + n + '?' + Object.keys(p).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(p[k]); }).join('&');
    }
    function fetch(page) {
      page = Math.min(Math.max(1, page), pages());
      var mask = one('.loading-mask', el);
      if (mask) { mask.style.display = 'block'; }
      request('GET', url(page)).then(function (r) {
        if (r.status === 200 && r.json) {
          state.rows = r.json.data || [];
          state.total = (r.json.options && r.json.options.totalRecords) || 0;
          state.page = page;
        } else {
          notify('error', 'Cannot load the grid.');
        }
        render();
      });
    }
    function render() {
      var head = '<tr>' + opts.columns.map(function (c) {
        return '<th class="AknGrid-headerCell grid-header-cell-' + c[0] + '"><a class="AknGrid-headerCellInner">' + esc(c[1]) + '</a></th>';
      }).join('') + '</tr>';
      var body = state.rows.map(function (row) {
        return '<tr class="AknGrid-bodyRow row-click-action">' + opts.columns.map(function (c) {
          var custom = opts.cell ? opts.cell(row, c[0]) : null;
          return custom != null ? custom : '<td class="AknGrid-bodyCell string-cell">' + esc(row[c[0]]) + '</td>';
        }).join('') + '</tr>';
      }).join('');
      el.innerHTML =
        '<div class="AknGridToolbar grid-toolbar">' +
        '<div class="AknGridToolbar-left pagination pagination-centered"><label class="dib">Page:</label><ul class="icons-holder">' +
        '<li><a href="javascript:void(0)" data-action="previous-page" class="AknGridToolbar-actionButton' + (state.page <= 1 ? ' disabled' : '') + '"><i class="icon-chevron-left hide-text">Prev</i></a></li>' +
        '<li><input type="text" class="AknTextField AknGridToolbar-pageInput" value="' + state.page + '"/></li>' +
        '<li><a href="javascript:void(0)" data-action="next-page" class="AknGridToolbar-actionButton' + (state.page >= pages() ? ' disabled' : '') + '"><i class="icon-chevron-right hide-text">Next</i></a></li>' +
        '</ul><label class="dib">of ' + pages() + ' | ' + state.total + ' records</label></div>' +
        '<div class="AknGridToolbar-right page-size"><label class="dib">View per page:</label><select class="AknGridToolbar-pageSize">' +
        [10, 25, 50, 100].map(function (n) { return '<option value="' + n + '"' + (n === state.perPage ? ' selected' : '') + '>' + n + '</option>'; }).join('') +
        '</select></div></div>' +
        '<div class="AknGridContainer grid-container">' +
        (state.rows.length ? '<table class="AknGrid grid table-hover table table-bordered table-condensed"><thead>' + head + '</thead><tbody>' + body + '</tbody></table>'
          : '<div class="no-data"><span>No records found</span></div>') +
        maskHtml() + '</div>';
      one('[data-action="previous-page"]', el).addEventListener('click', function () { if (state.page > 1) { fetch(state.page - 1); } });
      one('[data-action="next-page"]', el).addEventListener('click', function () { if (state.page < pages()) { fetch(state.page + 1); } });
      one('.AknGridToolbar-pageInput', el).addEventListener('change', function (ev) { fetch(parseInt(ev.target.value, 10) || 1); });
      one('.AknGridToolbar-pageSize', el).addEventListener('change', function (ev) { state.perPage = parseInt(ev.target.value, 10); fetch(1); });
      all('tbody tr', el).forEach(function (tr, i) {
        tr.addEventListener('click', function (ev) { if (opts.rowClick) { opts.rowClick(state.rows[i], tr, ev); } });
      });
    }
    render();
  }

  // ------------------------------------------------------------------ page init
  function init(root) {
    if (window.PimTwig) { window.PimTwig.enhance(root); }
    all('form', root).forEach(function (form) {
      if (form.id === 'pim_user_user_form') { form.setAttribute('novalidate', 'novalidate'); }
      if (form.id === 'oro_user_role_form') { roleForm(form); }
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        if (!jsfv(form)) { return; }
        submit(form);
      });
    });
    var users = one('#grid-pim-user-grid', root);
    if (users) {
      grid(users, {
        name: 'pim-user-grid',
        columns: [['username', 'Username'], ['firstName', 'First name'], ['lastName', 'Last name'], ['email', 'Email'], ['roles', 'Roles']],
        rowClick: function (row) { go('/user/update/' + row.id); }
      });
    }
    var roles = one('#grid-pim-role-grid', root);
    if (roles) {
      grid(roles, { name: 'pim-role-grid', columns: [['label', 'Label']], rowClick: function (row) { go('/user/role/update/' + row.id); } });
    }
  }

  function start() {
    var page = one('#page');
    if (page) { page.style.display = 'block'; }
    var bar = one('#progressbar');
    if (bar) { bar.style.display = 'none'; }
    all('#flash-messages .AknFlash').forEach(armFlash);
    if (!one('#container')) { return; }
    init(one('#container'));
    if (/^#url=/.test(location.hash) && currentUrl() !== location.pathname + location.search) { load(currentUrl()); }
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
