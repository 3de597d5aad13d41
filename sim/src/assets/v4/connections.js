/*
 * Akeneo PIM 4.x-7.x "Connections" look-alike (the React settings app mounted in the Backbone
 * shell), loaded after v3/app.js and branching on `window.PIM_VERSION` (4, 5, 6 or 7):
 * - 4.x/5.x: System > Connections at #/connections, jQuery Select2 widgets (hidden input +
 *   `.select2-container`, options selected on mouseup);
 * - 6.x/7.x: Connect > Connection settings at #/connect/connection-settings, design-system
 *   SelectInput (`input#flow_type` opening an overlay of `div[data-testid=<value>]` options);
 * - 5.x+: auditable checkbox, wrong-credentials warnings; 7.x: max-limit-reached check.
 * The password is kept only in this page's memory (create/regenerate responses): a reload, or
 * leaving the connection screens, forgets it, as the real reducer does.
 */
(function () {
  'use strict';
  var S = window.PimSim;
  var V = parseInt(window.PIM_VERSION || '0', 10);
  if (!S || !(V >= 4)) { return; }
  var all = S.all, one = S.one, esc = S.esc, html = S.html, notify = S.notify;

  var CONNECT = V >= 6;
  var BASE = CONNECT ? '/connect/connection-settings' : '/connections';
  var TAB = CONNECT ? 'pim-menu-connect' : true;
  var MAX = 50;
  var IMAGE = '/bundles/pimui/v4/connection.svg';
  var PAGE_TITLE = CONNECT ? 'Connection settings' : 'Connections';
  var CRUMBS = CONNECT ? [['Connect', '#' + BASE], ['Connection settings', '#' + BASE]]
    : [['System', '#' + BASE], ['Connections', '#' + BASE]];
  var FLOW_TYPES = [['data_source', 'Data source'], ['data_destination', 'Data destination'], ['other', 'Other']];
  var SECTIONS = [['data_source', 'data_source', 'Data source(s)'], ['data_destination', 'data_destination', 'Data destination(s)'],
    ['other', 'data_other', 'Other(s)']];
  var REASONS = {
    'code.required': 'Connection code is required.',
    'code.too_short': 'Connection code is too short. It should have 3 characters or more.',
    'code.too_long': 'Connection code is too long. It should have 100 characters or less.',
    'code.invalid': 'Connection code may contain only letters, numbers and underscores.',
    'code.must_be_unique': 'Connection code must be unique.',
    'label.required': 'Connection label is required.',
    'label.too_short': 'Connection label is too short. It should have 3 characters or more.',
    'label.too_long': 'Connection label is too long. It should have 100 characters or less.',
    'flow_type.invalid': 'Connection flow type is invalid.',
    'connections_number_limit_reached': 'You reached the limit of 50 connections and connected Apps.'
  };
  var LIMIT_TITLE = 'You reached the limit of 50 connections and connected Apps.';

  // ------------------------------------------------------------------ shell: menus and routes
  all('[data-min-version]').forEach(function (el) {
    if (V < parseInt(el.getAttribute('data-min-version'), 10)) { el.parentNode.removeChild(el); }
  });
  var systemLink = one('[data-tab="pim-menu-system"] .AknHeader-menuItem');
  if (systemLink) { systemLink.setAttribute('href', CONNECT ? '#/user/' : '#/connections'); }
  S.systemHome = CONNECT ? '#/user/' : '#/connections';
  for (var c = S.COLUMN.length - 1; c >= 0; c--) {
    if (S.COLUMN[c][0] !== 'System navigation') { continue; }
    if (CONNECT) { S.COLUMN.splice(c, 1); } else {
      S.COLUMN[c] = ['System navigation', [['pim-menu-system-connection-settings', '#/connections', 'Connections', /^\/connections/]]];
    }
  }
  for (var r = S.ROUTES.length - 1; r >= 0; r--) {
    if (S.ROUTES[r][0].test('/client')) { S.ROUTES.splice(r, 1); }
  }
  function rx(suffix) { return new RegExp('^' + BASE.replace(/\//g, '\\/') + suffix + '$'); }
  S.ROUTES.push(
    [rx('\\/?'), function (p) { return listPage(p, false); }, TAB],
    [rx('\\/create'), function (p) { return listPage(p, true); }, TAB],
    [rx('\\/([^/]+)\\/edit'), function (p, m) { return editPage(p, decodeURIComponent(m[1])); }, TAB],
    [rx('\\/([^/]+)\\/regenerate-secret'), function (p, m) { return regenerateModal(decodeURIComponent(m[1]), 'secret'); }, TAB],
    [rx('\\/([^/]+)\\/regenerate-password'), function (p, m) { return regenerateModal(decodeURIComponent(m[1]), 'password'); }, TAB],
    [rx('\\/([^/]+)\\/delete'), function (p, m) { return deleteModal(decodeURIComponent(m[1])); }, TAB]
  );
  if (CONNECT) {
    S.ROUTES.push([/^\/connect\/data-flows\/?$/, function (p) { return dataFlowsPage(p); }, TAB]);
  }

  // Passwords from create/regenerate responses, forgotten when leaving the connection screens.
  var passwords = {};
  window.addEventListener('hashchange', function () {
    if (location.hash.indexOf('#' + BASE) !== 0) { passwords = {}; }
  });

  // ------------------------------------------------------------------ fetch (credentials:'include')
  function api(method, url, body, headers) {
    var opts = { method: method, credentials: 'include', headers: headers || {} };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    S.track(1);
    function done(res) {
      setTimeout(function () { S.track(-1); }, 0);
      if (res.status === 401) { window.location = '/user/login'; }
      return res;
    }
    return fetch(url, opts).then(function (resp) {
      return resp.text().then(function (t) {
        var json = null;
        try { json = JSON.parse(t); } catch (e) { json = null; }
        return done({ status: resp.status, json: json, redirected: resp.redirected });
      });
    }, function () { return done({ status: 0, json: null }); });
  }

  function reasonText(reason) {
    var key = String(reason || '').replace('akeneo_connectivity.connection.connection.constraint.', '');
    return REASONS[key] || reason;
  }

  // ------------------------------------------------------------------ layout pieces
  function connectColumn(path) {
    var items = [['pim-menu-connect-data-flows', '#/connect/data-flows', 'Data flows', /^\/connect\/data-flows/],
      ['pim-menu-connect-connection-settings', '#' + BASE, 'Connection settings', /^\/connect\/connection-settings/]];
    return '<div class="AknColumn" data-drop-zone="column"><div class="AknColumn-inner"><div class="AknColumn-title">Connect</div>' +
      '<div class="AknColumn-block">' + items.map(function (it) {
        return '<a href="' + it[1] + '" data-code="' + it[0] + '" class="AknColumn-navigationLink' +
          (it[3].test(path) ? ' AknColumn-navigationLink--active' : '') + ' navigation-item">' + esc(it[2]) + '</a>';
      }).join('') + '</div></div></div>';
  }
  /** The React settings page inside the Backbone column layout. */
  function layout(path, header, content) {
    return '<div class="AknDefault-contentWithColumn">' + (CONNECT ? connectColumn(path) : S.column(path)) +
      '<div class="AknDefault-contentWithBottom"><div class="AknDefault-mainContent AknConnectivityConnection-view">' +
      header + '<div class="AknConnectivityConnection-pageContent">' + content + '</div></div></div></div>';
  }
  function pageHeader(o) {
    return '<header class="AknTitleContainer navigation AknConnectivityConnection-header"><div class="AknTitleContainer-line">' +
      (o.image ? '<div class="AknTitleContainer-imageContainer"><img class="AknTitleContainer-image" src="' + o.image + '" alt="' + esc(o.title) + '"/></div>' : '') +
      '<div class="AknTitleContainer-mainContainer">' +
      '<div class="AknTitleContainer-line"><div class="AknTitleContainer-breadcrumbs">' + S.breadcrumbs(CRUMBS) + '</div>' +
      '<div class="AknTitleContainer-buttonsContainer"><div class="user-menu"><div class="AknTitleContainer-userMenu" title="User menu"></div></div>' +
      '<div class="AknButtonList">' + (o.buttons || '') + '</div></div></div>' +
      '<div class="AknTitleContainer-line"><div class="AknTitleContainer-title">' + esc(o.title) + '</div></div>' +
      (o.state ? '<div class="AknTitleContainer-line"><div class="AknTitleContainer-state">' + o.state + '</div></div>' : '') +
      '</div></div></header>';
  }
  function sectionTitle(text) {
    return CONNECT ? '<div class="AknSectionTitle"><h2 class="AknSectionTitle-title">' + esc(text) + '</h2></div>'
      : '<header class="AknSubsection-title AknSubsection-title--glued"><span>' + esc(text) + '</span></header>';
  }
  function fieldError(msg) {
    if (!msg) { return ''; }
    return V >= 5 ? '<div class="AknHelper AknHelper--error" role="alert"><span class="AknHelper-icon">!</span>' + esc(msg) + '</div>'
      : '<span class="AknFieldContainer-validationError"><i class="icon-warning-sign"></i><span class="error-message">' + esc(msg) + '</span></span>';
  }
  function field(o) {
    return '<div class="AknFieldContainer" data-field="' + o.name + '">' +
      '<div class="AknFieldContainer-header"><label for="' + o.id + '" class="AknFieldContainer-label">' + esc(o.label) +
      (o.required ? '\u00a0(required)' : '') + '</label></div>' +
      '<div class="AknFieldContainer-inputContainer">' + o.input + '</div>' +
      '<div class="AknFieldContainer-footer' + (V >= 5 ? '' : ' AknFieldContainer-validationErrors') + '" data-errors="' + o.name + '"></div>' +
      (o.helper ? '<div class="AknFieldContainer-helper">' + o.helper + '</div>' : '') +
      '</div>';
  }
  function setFieldError(root, name, msg) {
    var holder = one('[data-errors="' + name + '"]', root);
    if (holder) { holder.innerHTML = fieldError(msg); }
    var container = one('[data-field="' + name + '"]', root);
    if (container) { container.classList.toggle('AknFieldContainer--error', !!msg); }
  }

  /** The legacy AknFullPage modal (`common/components/Modal.tsx`). */
  function fullPage(o) {
    var el = html('<div class="modal AknConnectivityConnection-modal" tabindex="-1">' +
      '<div class="AknFullPage"><div class="AknFullPage-content AknFullPage-content--withIllustration">' +
      '<div><img class="AknFullPage-image" src="' + IMAGE + '" alt=""/></div><div>' +
      '<div class="AknFullPage-titleContainer"><div class="AknFullPage-subTitle">' + esc(o.subTitle) + '</div>' +
      '<div class="AknFullPage-title">' + esc(o.title) + '</div>' +
      (o.description ? '<div class="AknFullPage-description">' + o.description + '</div>' : '') + '</div>' +
      (o.body || '') + '</div></div></div>' +
      '<div class="AknFullPage-cancel" title="Cancel"></div></div>');
    document.body.appendChild(el);
    function onKey(ev) {
      if (ev.key === 'Escape' && el.parentNode) { o.onCancel(); }
    }
    document.addEventListener('keydown', onKey);
    el.addEventListener('remove-modal', function () { document.removeEventListener('keydown', onKey); });
    one('.AknFullPage-cancel', el).addEventListener('click', function () { o.onCancel(); });
    return el;
  }
  function closeModal(el) {
    if (el && el.parentNode) {
      el.dispatchEvent(new Event('remove-modal'));
      el.parentNode.removeChild(el);
    }
  }

  // ------------------------------------------------------------------ select widgets
  var selectSeq = 0;
  /**
   * A single-choice select: Select2 3.x (4.x/5.x) or the design-system SelectInput (6.x+).
   * `o`: {id, css, options: [[value, label]], value, placeholder, onChange(value)}.
   * Returns {html, bind(root), setValue(v)}.
   */
  function select(o) {
    return CONNECT ? selectInput(o) : select2(o);
  }
  function labelOf(o, value) {
    var found = o.options.filter(function (op) { return String(op[0]) === String(value); })[0];
    return found ? found[1] : '';
  }

  function select2(o) {
    var n = ++selectSeq;
    var w = { value: o.value == null ? '' : String(o.value) };
    w.html = '<div class="select2-container AknSelectField ' + (o.css || '') + '" id="s2id_' + o.id + '">' +
      '<a href="javascript:void(0)" class="select2-choice" tabindex="-1"><span class="select2-chosen">' +
      esc(labelOf(o, w.value) || o.placeholder || '') + '</span><span class="select2-arrow" role="presentation"><b role="presentation"></b></span></a>' +
      '<label for="s2id_autogen' + n + '" class="select2-offscreen"></label>' +
      '<input class="select2-focusser select2-offscreen" type="text" aria-haspopup="true" role="button" id="s2id_autogen' + n + '">' +
      '<div class="select2-drop select2-display-none select2-with-searchbox">' +
      '<div class="select2-search"><label for="s2id_autogen' + n + '_search" class="select2-offscreen"></label>' +
      '<input type="text" autocomplete="off" class="select2-input" id="s2id_autogen' + n + '_search"></div>' +
      '<ul class="select2-results" role="listbox"></ul></div></div>' +
      '<input type="hidden" id="' + o.id + '" name="' + o.id + '" value="' + esc(w.value) + '" class="select2-offscreen" tabindex="-1">';
    w.bind = function (root) {
      var box = one('#s2id_' + o.id, root), hidden = one('#' + o.id, root);
      var drop = one('.select2-drop', box), search = one('.select2-input', box), results = one('.select2-results', box);
      var focusser = one('.select2-focusser', box), mask = null, highlighted = 0, shown = [];
      function render() {
        var q = search.value.toLowerCase();
        shown = o.options.filter(function (op) { return String(op[1]).toLowerCase().indexOf(q) >= 0; });
        highlighted = Math.min(highlighted, Math.max(0, shown.length - 1));
        results.innerHTML = shown.length ? shown.map(function (op, i) {
          return '<li class="select2-results-dept-0 select2-result select2-result-selectable' + (i === highlighted ? ' select2-highlighted' : '') +
            '" role="presentation"><div class="select2-result-label" role="option">' + esc(op[1]) + '</div></li>';
        }).join('') : '<li class="select2-no-results">No matches found</li>';
        all('.select2-result', results).forEach(function (li, i) {
          li.addEventListener('mousemove', function () {
            all('.select2-result', results).forEach(function (x) { x.classList.remove('select2-highlighted'); });
            li.classList.add('select2-highlighted');
            highlighted = i;
          });
          li.addEventListener('mouseup', function (ev) { ev.preventDefault(); choose(shown[i]); });
        });
      }
      function open() {
        if (box.classList.contains('select2-dropdown-open')) { return; }
        box.classList.add('select2-dropdown-open', 'select2-container-active');
        drop.classList.remove('select2-display-none');
        drop.classList.add('select2-drop-active');
        mask = html('<div id="select2-drop-mask" class="select2-drop-mask"></div>');
        // In the stacking context of the modal when there is one, under the open container.
        (box.closest('.modal') || document.body).appendChild(mask);
        mask.addEventListener('mousedown', function (ev) { ev.preventDefault(); close(); });
        highlighted = Math.max(0, o.options.map(function (op) { return String(op[0]); }).indexOf(w.value));
        render();
        search.focus();
      }
      function close() {
        box.classList.remove('select2-dropdown-open', 'select2-container-active');
        drop.classList.add('select2-display-none');
        drop.classList.remove('select2-drop-active');
        if (mask && mask.parentNode) { mask.parentNode.removeChild(mask); }
        mask = null;
        search.value = '';
      }
      function choose(op) {
        close();
        if (!op) { return; }
        w.setValue(op[0]);
        hidden.dispatchEvent(new Event('change', { bubbles: true }));
        if (o.onChange) { o.onChange(w.value); }
      }
      w.setValue = function (v) {
        w.value = v == null ? '' : String(v);
        hidden.value = w.value;
        one('.select2-chosen', box).textContent = labelOf(o, w.value) || o.placeholder || '';
      };
      // Select2 opens on mousedown on the choice.
      one('.select2-choice', box).addEventListener('mousedown', function (ev) {
        ev.preventDefault();
        if (box.classList.contains('select2-dropdown-open')) { close(); } else { open(); }
      });
      // Typing in the focusser opens the drop with the typed text as search.
      focusser.addEventListener('input', function () {
        var t = focusser.value;
        focusser.value = '';
        open();
        search.value = t;
        render();
      });
      search.addEventListener('input', function () { highlighted = 0; render(); });
      search.addEventListener('keydown', function (ev) {
        if (ev.key === 'ArrowDown') { highlighted = Math.min(highlighted + 1, shown.length - 1); render(); ev.preventDefault(); }
        if (ev.key === 'ArrowUp') { highlighted = Math.max(highlighted - 1, 0); render(); ev.preventDefault(); }
        if (ev.key === 'Enter') { ev.preventDefault(); choose(shown[highlighted]); }
        if (ev.key === 'Escape') { ev.stopPropagation(); close(); }
      });
    };
    return w;
  }

  function selectInput(o) {
    var w = { value: o.value == null ? '' : String(o.value) };
    w.html = '<div class="AknSelectInput" data-select="' + o.id + '">' +
      '<span class="AknSelectInput-selected">' + esc(labelOf(o, w.value)) + '</span>' +
      '<input id="' + o.id + '" type="text" class="AknSelectInput-search" autocomplete="off" value="" placeholder="' +
      esc(w.value === '' ? (o.placeholder || '') : '') + '">' +
      '<button type="button" class="AknSelectInput-open" title="Open" tabindex="-1"></button></div>';
    w.bind = function (root) {
      var box = one('[data-select="' + o.id + '"]', root), input = one('#' + o.id, box);
      var selected = one('.AknSelectInput-selected', box), portal = null;
      function options() {
        var q = input.value.toLowerCase();
        return o.options.filter(function (op) { return String(op[1]).toLowerCase().indexOf(q) >= 0; });
      }
      function renderOverlay() {
        if (!portal) { return; }
        var list = options();
        one('.AknSelectInput-options', portal).innerHTML = list.length ? list.map(function (op) {
          return '<div class="AknSelectInput-option' + (String(op[0]) === w.value ? ' AknSelectInput-option--selected' : '') +
            '" role="option" data-testid="' + esc(op[0]) + '"><span>' + esc(op[1]) + '</span></div>';
        }).join('') : '<div class="AknSelectInput-empty">Sorry, there are no results.</div>';
        all('.AknSelectInput-option', portal).forEach(function (el, i) {
          el.addEventListener('click', function () { choose(list[i]); });
        });
      }
      function open() {
        if (portal) { return; }
        var rect = box.getBoundingClientRect();
        // Below the input, or above it when there is no room (the DSM overlay flips).
        var below = window.innerHeight - rect.bottom, place = below >= 200 || below >= rect.top
          ? 'top:' + (rect.bottom + 2) + 'px;max-height:' + Math.max(80, below - 12) + 'px;'
          : 'bottom:' + (window.innerHeight - rect.top + 2) + 'px;max-height:' + Math.max(80, rect.top - 12) + 'px;';
        portal = html('<div class="AknSelectInput-portal"><div class="AknSelectInput-backdrop"></div>' +
          '<div class="AknSelectInput-overlay" style="' + place + 'left:' + rect.left + 'px;width:' + rect.width + 'px">' +
          '<div class="AknSelectInput-options" role="listbox"></div></div></div>');
        document.body.appendChild(portal);
        one('.AknSelectInput-backdrop', portal).addEventListener('click', close);
        box.classList.add('AknSelectInput--open');
        renderOverlay();
        input.focus();
      }
      function close() {
        if (portal && portal.parentNode) { portal.parentNode.removeChild(portal); }
        portal = null;
        box.classList.remove('AknSelectInput--open');
        input.value = '';
        selected.style.visibility = '';
      }
      function choose(op) {
        close();
        if (!op) { return; }
        w.setValue(op[0]);
        if (o.onChange) { o.onChange(w.value); }
      }
      w.setValue = function (v) {
        w.value = v == null ? '' : String(v);
        selected.textContent = labelOf(o, w.value);
        input.setAttribute('placeholder', w.value === '' ? (o.placeholder || '') : '');
      };
      input.addEventListener('click', open);
      one('.AknSelectInput-open', box).addEventListener('click', open);
      input.addEventListener('input', function () {
        open();
        selected.style.visibility = input.value ? 'hidden' : '';
        renderOverlay();
      });
      input.addEventListener('keydown', function (ev) {
        if (ev.key === 'Escape') { ev.stopPropagation(); close(); }
        if (ev.key === 'Enter') { ev.preventDefault(); if (portal) { choose(options()[0]); } else { open(); } }
      });
    };
    return w;
  }

  // ------------------------------------------------------------------ list page (+ create modal)
  function loadList() {
    var url = CONNECT ? '/rest/connections?search=' + encodeURIComponent(JSON.stringify({ types: ['default'] })) : '/rest/connections';
    return Promise.all([
      api('GET', url),
      V >= 5 ? api('GET', '/rest/connections/wrong-credentials-combination') : Promise.resolve(null),
      V >= 7 ? api('GET', '/rest/connections/max-limit-reached', undefined, { 'X-Requested-With': 'XMLHttpRequest' }) : Promise.resolve(null)
    ]);
  }
  function wrongWarning(wrong, code) {
    var entry = wrong && wrong[code];
    return entry && entry.users && entry.users.length ? entry : null;
  }
  function listPage(path, withModal) {
    document.title = PAGE_TITLE;
    return loadList().then(function (res) {
      var list = res[0].status === 200 && Array.isArray(res[0].json) ? res[0].json : [];
      if (res[0].status !== 200) { notify('error', 'Sorry, an error occurred while loading the connections.'); }
      var wrong = res[1] && res[1].status === 200 ? res[1].json : null;
      var limitReached = V >= 7
        ? !(res[2].status === 200 && res[2].json && res[2].json.limitReached === false)
        : list.length >= MAX;
      return function () {
        var button = '<button type="button" class="AknButton AknButton--apply AknButtonList-item"' +
          (limitReached ? ' disabled' + (V >= 7 ? ' title="' + esc(LIMIT_TITLE) + '"' : '') : '') + '>Create</button>';
        var content;
        if (!list.length) {
          content = '<div class="AknConnectivityConnection-empty"><img class="AknConnectivityConnection-emptyImage" src="' + IMAGE + '" alt=""/>' +
            '<div class="AknConnectivityConnection-emptyTitle">No connection declared yet.</div>' +
            '<div class="AknConnectivityConnection-emptyText">Add your first one by clicking on the \u201cCreate\u201d button above or ' +
            '<a class="AknConnectivityConnection-link" href="#' + BASE + '/create">click here.</a></div></div>';
        } else {
          var warnings = '';
          if (wrong) {
            list.forEach(function (cn) {
              var w = wrongWarning(wrong, cn.code);
              if (w) {
                warnings += '<div class="AknConnectivityConnection-warning AknMessageBox AknMessageBox--warning">We noticed that you are using the <b>' +
                  esc(w.users[w.users.length - 1].username) + '</b> username for the <b>' + esc(cn.label) +
                  '</b> connection. We recommend using the connection\u2019s own username instead.</div>';
              }
            });
          }
          content = warnings + SECTIONS.map(function (s) {
            var items = list.filter(function (cn) { return cn.flowType === s[0]; });
            if (!items.length) { return ''; }
            return '<div class="AknConnectivityConnection-section" data-testid="' + s[1] + '">' +
              '<div class="AknConnectivityConnection-sectionTitle"><span class="AknConnectivityConnection-sectionName">' + esc(s[2]) + '</span>' +
              '<span class="AknConnectivityConnection-sectionCount">' + items.length + ' connection(s)</span></div>' +
              '<div class="AknConnectivityConnection-grid">' + items.map(function (cn) {
                return '<div class="AknConnectivityConnection-card" role="button" tabindex="0" data-code="' + esc(cn.code) + '">' +
                  '<img class="AknConnectivityConnection-cardImage" src="' + esc(cn.image || IMAGE) + '" alt="' + esc(cn.label) + '"/>' +
                  '<div class="AknConnectivityConnection-cardCaption" title="' + esc(cn.label) + '">' + esc(cn.label) +
                  (wrongWarning(wrong, cn.code) ? '<span class="AknConnectivityConnection-warningIcon" title="Wrong credentials combination">!</span>' : '') +
                  '</div></div>';
              }).join('') + '</div></div>';
          }).join('');
        }
        var v = S.mount(layout(path, pageHeader({ title: PAGE_TITLE, buttons: button }), content));
        var create = one('.AknTitleContainer .AknButton--apply', v);
        create.addEventListener('click', function () { if (!create.disabled) { location.hash = '#' + BASE + '/create'; } });
        all('.AknConnectivityConnection-card', v).forEach(function (card) {
          card.addEventListener('click', function () {
            location.hash = '#' + BASE + '/' + encodeURIComponent(card.getAttribute('data-code')) + '/edit';
          });
        });
        if (withModal) { createModal(); }
      };
    });
  }

  function sanitize(label) {
    return label.replace(/ /g, '').replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase().substring(0, 100);
  }
  function labelProblem(label) {
    var t = label.trim();
    if (!t) { return REASONS['label.required']; }
    if (t.length < 3) { return REASONS['label.too_short']; }
    if (t.length > 100) { return REASONS['label.too_long']; }
    return null;
  }
  function codeProblem(code) {
    if (!code) { return REASONS['code.required']; }
    if (code.length < 3) { return REASONS['code.too_short']; }
    if (code.length > 100) { return REASONS['code.too_long']; }
    if (!/^[0-9a-zA-Z_]+$/.test(code)) { return REASONS['code.invalid']; }
    return null;
  }

  function createModal() {
    var model = { label: '', code: '', flow_type: 'data_source' };
    var touched = { label: false, code: false }, codeDirty = false, server = {}, saving = false;
    var flow = select({ id: 'flow_type', css: 'flowType', options: FLOW_TYPES, value: model.flow_type,
      onChange: function (value) { model.flow_type = value; server.flowType = null; refresh(); } });
    var body = '<form class="AknFormContainer AknConnectivityConnection-createForm" data-testid="create-connection" autocomplete="off">' +
      field({ name: 'label', id: 'label', label: 'Label', required: true,
        input: '<input type="text" name="label" id="label" class="AknTextField" required minlength="3" maxlength="100" autocomplete="off" value="">' }) +
      field({ name: 'code', id: 'code', label: 'Code', required: true,
        input: '<input type="text" name="code" id="code" class="AknTextField" required minlength="3" maxlength="100" pattern="^[0-9a-zA-Z_]+$" autocomplete="off" value="">' }) +
      field({ name: 'flowType', id: 'flow_type', label: 'Flow type', required: true, input: flow.html,
        helper: 'Wondering what flow type is? <a href="https://help.akeneo.com/pim/serenity/articles/what-is-a-connection.html#choose-your-flow-type" target="_blank" rel="noopener noreferrer">We can help you right here!</a>' }) +
      '<div class="AknButtonList"><button type="button" class="AknButton AknButton--apply AknButtonList-item" disabled>Save</button></div>' +
      '</form>';
    var el = fullPage({
      subTitle: 'Connections', title: 'Create a new connection',
      description: V >= 7 ? 'You can connect up to 50 third-parties or Apps.' : 'You can create up to 50 connections.',
      body: body, onCancel: function () { closeModal(el); location.hash = '#' + BASE; }
    });
    flow.bind(el);
    var labelInput = one('#label', el), codeInput = one('#code', el), save = one('form .AknButton--apply', el);
    function refresh() {
      var le = labelProblem(model.label), ce = codeProblem(model.code);
      setFieldError(el, 'label', server.label || (touched.label ? le : null));
      setFieldError(el, 'code', server.code || ((touched.code || touched.label) ? ce : null));
      setFieldError(el, 'flowType', server.flowType || null);
      save.disabled = saving || !!le || !!ce;
    }
    labelInput.addEventListener('input', function () {
      model.label = labelInput.value;
      touched.label = true;
      server.label = null;
      if (!codeDirty) {
        model.code = sanitize(model.label);
        codeInput.value = model.code;
        server.code = null;
      }
      refresh();
    });
    labelInput.addEventListener('blur', function () { touched.label = true; refresh(); });
    codeInput.addEventListener('input', function () {
      codeDirty = true;
      touched.code = true;
      model.code = codeInput.value;
      server.code = null;
      refresh();
    });
    one('form', el).addEventListener('submit', function (ev) { ev.preventDefault(); });
    save.addEventListener('click', function () {
      if (save.disabled) { return; }
      saving = true;
      refresh();
      api('POST', '/rest/connections', { code: model.code, label: model.label, flow_type: model.flow_type }).then(function (r) {
        saving = false;
        if ((r.status === 201 || r.status === 200) && r.json) {
          passwords[r.json.code] = r.json.password;
          notify('success', 'Connection successfully created.');
          closeModal(el);
          location.hash = '#' + BASE + '/' + encodeURIComponent(r.json.code) + '/edit';
          return;
        }
        if (r.status === 422 && r.json && Array.isArray(r.json.errors)) {
          r.json.errors.forEach(function (e) {
            if (e.name === '' && V >= 7) { notify('error', reasonText(e.reason)); } else if (e.name) { server[e.name] = reasonText(e.reason); }
          });
        } else {
          notify('error', 'Sorry, an error occurred while creating the connection.');
        }
        refresh();
      });
    });
    refresh();
    labelInput.focus();
  }

  // ------------------------------------------------------------------ edit page
  function loadConnection(code) {
    return Promise.all([
      V >= 5 ? api('GET', '/rest/connections/wrong-credentials-combination') : Promise.resolve(null),
      api('GET', '/rest/connections/' + encodeURIComponent(code)),
      api('GET', '/rest/user_role/'),
      api('GET', '/rest/user_group/')
    ]);
  }
  function copyButton(name) {
    return '<button type="button" class="AknIconButton AknConnectivityConnection-iconButton" title="Copy to clipboard" data-copy="' + esc(name) + '">' +
      '<svg viewBox="0 0 24 24" width="20" height="20"><rect x="8" y="8" width="11" height="13" fill="none" stroke="currentColor"/><path d="M5 16V3h11" fill="none" stroke="currentColor"/></svg></button>';
  }
  function regenerateButton(what) {
    return '<button type="button" class="AknIconButton AknConnectivityConnection-iconButton" title="Regenerate" data-regenerate="' + what + '">' +
      '<svg viewBox="0 0 24 24" width="20" height="20"><path d="M19 12a7 7 0 1 1-2.05-4.95M19 4v4h-4" fill="none" stroke="currentColor"/></svg></button>';
  }
  function credentials(cn, password) {
    var row = function (label, value, actions, extraClass) {
      return '<div class="AknCredential-label">' + esc(label) + '</div>' +
        '<div class="AknCredential-value' + (extraClass || '') + '"><span>' + esc(value) + '</span></div>' +
        '<div class="AknCredential-actions">' + actions + '</div>';
    };
    var out = row('Client ID', cn.client_id, copyButton('Client ID')) +
      row('Secret', cn.secret, regenerateButton('secret') + copyButton('Secret')) +
      row('Username', cn.username, copyButton('Username'));
    if (password) {
      out += row('Password', password, copyButton('Password')) +
        '<div class="AknCredential-helper AknCredential-helper--warning">Make sure to save this password somewhere as we won\u2019t show it to you twice. <a href="#" onclick="return false">More info\u2026</a></div>';
    } else {
      out += row('Password', '\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022', regenerateButton('password'), ' AknCredential-value--hidden') +
        '<div class="AknCredential-helper">If you forgot your password, you can generate a new one here. <a href="#" onclick="return false">More info\u2026</a></div>';
    }
    return out;
  }

  function editPage(path, code) {
    document.title = PAGE_TITLE;
    return loadConnection(code).then(function (res) {
      var wrong = res[0] && res[0].status === 200 ? res[0].json : null;
      var got = res[1];
      if (got.status !== 200 || !got.json) {
        return function () {
          S.mount(layout(path, pageHeader({ title: PAGE_TITLE }), '<div class="AknConnectivityConnection-empty">' +
            '<div class="AknConnectivityConnection-emptyTitle">Connection not found.</div></div>'));
          notify('error', 'The connection "' + code + '" does not exist.');
        };
      }
      var cn = got.json;
      var roles = res[2].status === 200 && Array.isArray(res[2].json) ? res[2].json : [];
      var groups = (res[3].status === 200 && Array.isArray(res[3].json) ? res[3].json : [])
        .filter(function (g) { return !(g.meta && g.meta.default); });
      var password = passwords[code] || null;
      return function () { renderEdit(path, cn, roles, groups, password, wrong); };
    });
  }

  function renderEdit(path, cn, roles, groups, password, wrong) {
    var form = { label: cn.label, flow_type: cn.flow_type, auditable: !!cn.auditable, image: cn.image || null,
      user_role_id: cn.user_role_id == null ? '' : String(cn.user_role_id),
      user_group_id: cn.user_group_id == null ? '' : String(cn.user_group_id) };
    var saved = JSON.stringify(form), saving = false, serverLabelError = null;
    var roleOptions = roles.map(function (r) { return [String(r.id), r.label]; });
    var userRole = roles.filter(function (r) { return r.role === 'ROLE_USER'; })[0];
    var flow = select({ id: 'flow_type', css: 'flowType', options: FLOW_TYPES, value: form.flow_type,
      onChange: function (v) { form.flow_type = v; if (v === 'other') { form.auditable = false; } refresh(); } });
    var role = select({ id: 'user_role', css: 'userRole', options: roleOptions, value: form.user_role_id,
      onChange: function (v) { form.user_role_id = v; refresh(); } });
    var group = select({ id: 'user_group', css: 'userGroup', placeholder: 'Select a group',
      options: groups.map(function (g) { return [String(g.meta.id), g.name]; }), value: form.user_group_id,
      onChange: function (v) { form.user_group_id = v; refresh(); } });

    var buttons = '<div class="AknSecondaryActions AknDropdown AknButtonList-item"><div class="AknSecondaryActions-button" title="Other actions"></div>' +
      '<div class="AknDropdown-menu"><div class="AknDropdown-menuTitle">Other actions</div>' +
      '<a class="AknDropdown-menuLink" data-action="delete">Delete</a></div></div>' +
      '<button type="button" class="AknButton AknButton--apply AknButtonList-item" disabled>Save</button>';
    var state = '<div class="updated-status"><span class="AknState">There are unsaved changes.</span></div>';
    var wrongEntry = wrongWarning(wrong, cn.code);
    var settings = sectionTitle('Settings') +
      '<div class="AknFormContainer">' +
      field({ name: 'code', id: 'code', label: 'Code', required: true,
        input: '<input type="text" name="code" id="code" class="AknTextField AknTextField--disabled" value="' + esc(cn.code) + '" disabled>' }) +
      field({ name: 'label', id: 'label', label: 'Label', required: true,
        input: '<input type="text" name="label" id="label" class="AknTextField" maxlength="100" value="' + esc(cn.label) + '">' }) +
      field({ name: 'flowType', id: 'flow_type', label: 'Flow type', required: true, input: flow.html,
        helper: 'Wondering what flow type is? <a href="#" onclick="return false">We can help you right here!</a>' }) +
      (V >= 5 ? '<div class="AknFieldContainer AknConnectivityConnection-auditable"><label class="AknConnectivityConnection-checkbox">' +
        '<input type="checkbox" name="auditable" id="auditable"' + (form.auditable ? ' checked' : '') + '> ' +
        (V >= 6 ? 'Track in Data flows dashboard' : 'Track this connection in the dashboard') + '</label></div>' : '') +
      '<div class="AknFieldContainer"><div class="AknFieldContainer-header"><label class="AknFieldContainer-label">Image</label></div>' +
      '<div class="AknConnectivityConnection-imageUploader"><img src="' + esc(cn.image || IMAGE) + '" alt=""/><span>Drag and drop or click to upload an image</span></div></div>' +
      '</div>';
    var creds = sectionTitle('Credentials') +
      '<div class="AknConnectivityConnection-helper">Here are the credentials to use in your ' + esc(cn.label) +
      ' connector. <a href="#" onclick="return false">Learn more here...</a></div>' +
      (wrongEntry ? '<div class="AknMessageBox AknMessageBox--warning">We noticed that you are using the <b>' + esc(wrongEntry.users[wrongEntry.users.length - 1].username) +
        '</b> username for this connection. We recommend using the <b>' + esc(cn.username) + '</b> username instead.</div>' : '') +
      '<div class="AknCredentialList">' + credentials(cn, password) + '</div>';
    var perms = sectionTitle('Permissions') +
      '<div class="AknConnectivityConnection-helper">In this section, you can define permissions for your ' + esc(cn.label) + ' connection.</div>' +
      '<div class="AknFormContainer">' +
      field({ name: 'userRole', id: 'user_role', label: 'Role', input: role.html }) +
      '<div class="AknConnectivityConnection-roleWarning AknMessageBox AknMessageBox--warning">The default <b>User</b> role is not the best choice for your connection. We strongly recommend you to choose a role tailored for your connection needs.</div>' +
      field({ name: 'userGroup', id: 'user_group', label: 'Group', input: group.html }) +
      '<div class="AknConnectivityConnection-groupWarning AknMessageBox AknMessageBox--info">We strongly recommend you to choose a group tailored for your connection needs.</div>' +
      '</div>';
    var v = S.mount(layout(path, pageHeader({ title: cn.label, image: cn.image || IMAGE, buttons: buttons, state: state }),
      '<div class="AknConnectivityConnection-editGrid"><div class="AknConnectivityConnection-column">' + settings + '</div>' +
      '<div class="AknConnectivityConnection-column">' + creds + perms + '</div></div>'));
    flow.bind(v);
    role.bind(v);
    group.bind(v);
    var saveButton = one('.AknTitleContainer .AknButton--apply', v), labelInput = one('#label', v), auditable = one('#auditable', v);

    function refresh() {
      var dirty = JSON.stringify(form) !== saved;
      var problem = serverLabelError || labelProblem(form.label);
      setFieldError(v, 'label', problem);
      saveButton.disabled = saving || !dirty || !!problem;
      one('.updated-status', v).classList.toggle('updated-status--visible', dirty);
      one('.AknTitleContainer-state', v).style.display = dirty ? '' : 'none';
      if (auditable) {
        auditable.disabled = form.flow_type === 'other';
        auditable.checked = form.auditable;
      }
      one('.AknConnectivityConnection-roleWarning', v).style.display =
        userRole && form.user_role_id === String(userRole.id) ? '' : 'none';
      one('.AknConnectivityConnection-groupWarning', v).style.display = form.user_group_id ? 'none' : '';
    }
    labelInput.addEventListener('input', function () { form.label = labelInput.value; serverLabelError = null; refresh(); });
    if (auditable) { auditable.addEventListener('change', function () { form.auditable = auditable.checked; refresh(); }); }

    all('[data-copy]', v).forEach(function (b) {
      b.addEventListener('click', function () {
        var span = one('span', b.parentNode.previousElementSibling);
        var range = document.createRange();
        range.selectNodeContents(span);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try { document.execCommand('copy'); } catch (e) { /* no clipboard in headless browsers */ }
        sel.removeAllRanges();
        notify('info', b.getAttribute('data-copy') + ' copied to clipboard');
      });
    });
    all('[data-regenerate]', v).forEach(function (b) {
      b.addEventListener('click', function () {
        location.hash = '#' + BASE + '/' + encodeURIComponent(cn.code) + '/regenerate-' + b.getAttribute('data-regenerate');
      });
    });
    var dropdown = one('.AknSecondaryActions', v);
    one('.AknSecondaryActions-button', v).addEventListener('click', function () { dropdown.classList.toggle('open'); });
    one('[data-action="delete"]', v).addEventListener('click', function () {
      location.hash = '#' + BASE + '/' + encodeURIComponent(cn.code) + '/delete';
    });
    saveButton.addEventListener('click', function () {
      if (saveButton.disabled) { return; }
      saving = true;
      refresh();
      var payload = { code: cn.code, label: form.label, flow_type: form.flow_type, image: form.image, auditable: form.auditable,
        user_role_id: form.user_role_id || null, user_group_id: form.user_group_id || null };
      api('POST', '/rest/connections/' + encodeURIComponent(cn.code), payload).then(function (r) {
        saving = false;
        if (r.status === 204) {
          saved = JSON.stringify(form);
          one('.AknTitleContainer-title', v).textContent = form.label;
          notify('success', 'Connection successfully updated.');
        } else if (r.status === 422 && r.json && Array.isArray(r.json.errors)) {
          r.json.errors.forEach(function (e) { if (e.name === 'label') { serverLabelError = reasonText(e.reason); } });
          notify('error', 'Sorry, an error occurred while updating the connection.');
        } else {
          notify('error', (r.json && r.json.message) || 'Sorry, an error occurred while updating the connection.');
        }
        refresh();
      });
    });
    refresh();
  }

  // ------------------------------------------------------------------ confirm modals
  function confirmModal(o) {
    var el = fullPage({
      subTitle: 'Connections', title: o.title, description: esc(o.description),
      body: '<div class="AknButtonList AknConnectivityConnection-modalButtons">' +
        '<button type="button" class="AknButton AknButton--grey AknButtonList-item" data-cancel>Cancel</button>' +
        '<button type="button" class="AknButton AknButton--important AknButtonList-item" data-confirm>' + esc(o.ok) + '</button></div>',
      onCancel: function () { closeModal(el); location.hash = o.back; }
    });
    one('[data-cancel]', el).addEventListener('click', function () { closeModal(el); location.hash = o.back; });
    var ok = one('[data-confirm]', el);
    ok.addEventListener('click', function () {
      if (ok.disabled) { return; }
      ok.disabled = true;
      o.onConfirm().then(function (target) {
        ok.disabled = false;
        if (target) { closeModal(el); location.hash = target; }
      });
    });
  }
  function editHash(code) { return '#' + BASE + '/' + encodeURIComponent(code) + '/edit'; }

  function regenerateModal(code, what) {
    document.title = PAGE_TITLE;
    return Promise.resolve(function () {
      confirmModal({
        title: 'Confirm regeneration', ok: 'Regenerate', back: editHash(code),
        description: what === 'secret'
          ? 'Are you sure you want to regenerate the connection secret? Not sure about the impacts? Here is what will happen.'
          : 'Are you sure you want to regenerate the connection password? Not sure about the impacts? Here is what will happen.',
        onConfirm: function () {
          return api('POST', '/rest/connections/' + encodeURIComponent(code) + '/regenerate-' + what).then(function (r) {
            if (what === 'secret' && r.status === 204) {
              notify('success', 'Connection secret successfully regenerated.');
              return editHash(code);
            }
            if (what === 'password' && r.status === 200 && r.json && r.json.password) {
              passwords[code] = r.json.password;
              notify('success', 'Connection password successfully regenerated.');
              return editHash(code);
            }
            notify('error', 'Sorry, an error occurred while regenerating the connection ' + what + '.');
            return null;
          });
        }
      });
    });
  }

  function deleteModal(code) {
    document.title = PAGE_TITLE;
    return Promise.resolve(function () {
      confirmModal({
        title: 'Confirm deletion', ok: 'Delete', back: editHash(code),
        description: 'Are you sure you want to delete this connection? The connection, its user and its credentials will be deleted.',
        onConfirm: function () {
          return api('DELETE', '/rest/connections/' + encodeURIComponent(code)).then(function (r) {
            if (r.status === 204) {
              delete passwords[code];
              notify('success', 'Connection successfully deleted.');
              return '#' + BASE;
            }
            notify('error', 'Sorry, an error occurred while deleting the connection.');
            return null;
          });
        }
      });
    });
  }

  // ------------------------------------------------------------------ 6.x+ Connect > Data flows
  function dataFlowsPage(path) {
    document.title = 'Data flows';
    return Promise.resolve(function () {
      S.mount(layout(path, pageHeader({ title: 'Data flows' }).replace(S.breadcrumbs(CRUMBS),
        S.breadcrumbs([['Connect', '#/connect/data-flows'], ['Data flows', '#/connect/data-flows']])),
        '<div class="AknConnectivityConnection-empty"><img class="AknConnectivityConnection-emptyImage" src="' + IMAGE + '" alt=""/>' +
        '<div class="AknConnectivityConnection-emptyTitle">No connection to track yet.</div>' +
        '<div class="AknConnectivityConnection-emptyText">Tick "Track in Data flows dashboard" in the settings of a connection.</div></div>'));
    });
  }
}());
