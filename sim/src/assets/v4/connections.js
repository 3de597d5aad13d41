/*
 * Akeneo PIM 4.x-7.x "Connections" look-alike (the React settings app mounted in the Backbone
 * shell), loaded after v3/app.js and v4/shell.js, branching on `window.PIM_VERSION` (4 to 7).
 * Written from the fact sheet connect-4.x-to-7.x-dom.md (§3 list, §4 create, §5 edit, §6
 * design-system components, §8 XHR chains):
 * - 4.x/5.x: System > Connections at #/connections, Select2 3.4.1 (`#select2-drop` moved to
 *   body, `#select2-drop-mask`, mousedown opens, mouseup selects);
 * - 6.x/7.x: Connect > Connection settings at #/connect/connection-settings, design-system
 *   SelectInput (`input#flow_type`, portal `#input-overlay-root`, `[data-testid=backdrop]`);
 * - no `.AknTitleContainer` (a styled `<header>`), hashed classes (`PimSim.sc`) everywhere the
 *   real front end has styled-components, DSM Helpers for errors from 5.x;
 * - the list shows its empty state while `GET /rest/connections` is in flight;
 * - the React state (connections, passwords) lives while the route stays on the connection
 *   screens and is dropped on leaving them.
 */
(function () {
  'use strict';
  var S = window.PimSim;
  var V = parseInt(window.PIM_VERSION || '0', 10);
  if (!S || !(V >= 4) || !S.sc) { return; }
  var all = S.all, one = S.one, esc = S.esc, html = S.html, notify = S.notify, sc = S.sc;

  var CONNECT = V >= 6;
  var BASE = CONNECT ? '/connect/connection-settings' : '/connections';
  var MAX = 50;
  var LIST_TITLE = CONNECT ? 'Connection settings' : 'Connections';
  var PAGE_TITLE = { list: CONNECT ? 'Connections settings' : 'Connections', other: V >= 5 ? 'Connection settings' : 'Connections' };
  var FLOW_TYPES = [['data_source', 'Data source'], ['data_destination', 'Data destination'], ['other', 'Other']];
  var SECTIONS = [['data_source', 'data_source', 'Data source', 'Data sources'], ['data_destination', 'data_destination', 'Data destination', 'Data destinations'],
    ['other', 'data_other', 'Other', 'Others']];
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
  var NBSP = '\u00a0';

  // Illustrations: inline SVG drawings in the tutorial's colours (navy, purple, grey, green).
  var ILLUSTRATION = '<svg class="' + sc('Illustration', '&{width:100%;height:100%;}') + '" viewBox="0 0 256 256" aria-hidden="true">' +
    '<path d="M40 200 q0-28 30-28 q6-26 36-20 q14-22 44-8 q30-6 36 22 q30 0 30 34 z" fill="#dceefa"/>' +
    '<line x1="24" y1="206" x2="232" y2="206" stroke="#5992c7" stroke-width="2" stroke-dasharray="14 6"/>' +
    '<rect x="78" y="56" width="100" height="110" rx="4" fill="#fff" stroke="#11324d" stroke-width="3"/>' +
    '<line x1="128" y1="76" x2="128" y2="90" stroke="#11324d" stroke-width="3"/>' +
    '<rect x="118" y="98" width="20" height="32" rx="2" fill="#fff" stroke="#11324d" stroke-width="3"/>' +
    '<rect x="118" y="114" width="20" height="16" fill="#5992c7"/>' +
    '<circle cx="128" cy="146" r="6" fill="none" stroke="#11324d" stroke-width="3"/>' +
    '<path d="M52 150 q14-22 28 0 z" fill="#9452ba"/><rect x="62" y="150" width="8" height="34" fill="#fff" stroke="#9452ba" stroke-width="3"/>' +
    '<path d="M72 164 q12-18 24 0 z" fill="#9452ba"/><rect x="80" y="164" width="7" height="22" fill="#fff" stroke="#9452ba" stroke-width="3"/>' +
    '<path d="M34 38 l6 0 M37 35 l0 6 M200 70 l8 0 M204 66 l0 8 M170 30 l0 0" stroke="#11324d" stroke-width="2"/>' +
    '<circle cx="196" cy="140" r="3" fill="#9452ba"/><circle cx="54" cy="120" r="2" fill="#11324d"/></svg>';
  var INFO_ICON = '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><circle cx="12" cy="12" r="10" fill="none" stroke="#5992c7" stroke-width="1.5"/>' +
    '<path d="M12.5 7.5v.5M12 11l-1 6" stroke="#5992c7" stroke-width="2" stroke-linecap="round"/></svg>';
  var IMAGE = '/bundles/pimui/v4/connection.svg';

  // ------------------------------------------------------------------ routes and React state
  for (var c = S.COLUMN.length - 1; c >= 0; c--) {
    if (S.COLUMN[c][0] !== 'System navigation') { continue; }
    if (CONNECT) { S.COLUMN.splice(c, 1); } else {
      S.COLUMN[c] = ['System navigation', [['pim-menu-system-configuration', '#/system/', 'Configuration', /^\/system\/?$/],
        ['pim-menu-system-connection-settings', '#/connections', 'Connections', /^\/connections/]]];
    }
  }
  S.systemHome = CONNECT ? '#/system' : '#/system/';
  for (var r = S.ROUTES.length - 1; r >= 0; r--) {
    if (S.ROUTES[r][0].test('/client')) { S.ROUTES.splice(r, 1); }
  }
  function rx(suffix) { return new RegExp('^' + BASE.replace(/\//g, '\\/') + suffix + '$'); }
  S.ROUTES.push(
    [rx('\\/?'), function (p) { return page(p, listPage); }, true],
    [rx('\\/create'), function (p) { return page(p, createPage); }, true],
    [rx('\\/([^/]+)\\/edit'), function (p, m) { return page(p, editPage, decodeURIComponent(m[1])); }, true],
    [rx('\\/([^/]+)\\/regenerate-secret'), function (p, m) { return page(p, regeneratePage, decodeURIComponent(m[1]), 'secret'); }, true],
    [rx('\\/([^/]+)\\/regenerate-password'), function (p, m) { return page(p, regeneratePage, decodeURIComponent(m[1]), 'password'); }, true],
    [rx('\\/([^/]+)\\/delete'), function (p, m) { return page(p, deletePage, decodeURIComponent(m[1])); }, true]
  );
  if (CONNECT) {
    S.ROUTES.push([/^\/connect\/data-flows\/?$/, function (p) { return dataFlowsPage(p); }, true]);
  }

  // The React state: `{}` at mount (hence the empty state while loading), kept while the route
  // stays on the connection screens.
  var state = null;
  function freshState() { return { connections: {}, order: [], passwords: {} }; }
  window.addEventListener('hashchange', function () {
    if (location.hash.indexOf('#' + BASE) !== 0) { state = null; }
  });
  /** A React controller: the hash mask goes away at once, the page renders and fetches itself. */
  function page(path, fn, a, b) {
    if (!state) { state = freshState(); }
    document.title = /^\/[^/]+(\/connection-settings)?\/?$/.test(path) ? PAGE_TITLE.list : PAGE_TITLE.other;
    return Promise.resolve(function () { fn(path, a, b); });
  }
  /** Mounts the React root `div.view.AknConnectivityConnection-view > div`. */
  function mountRoot(markup) {
    var v = S.mount('<div>' + markup + '</div>');
    v.classList.add('AknConnectivityConnection-view');
    return v;
  }
  function stillOn(path) { return location.hash.replace(/^#/, '') === path; }

  // ------------------------------------------------------------------ fetch (credentials:'include')
  function api(method, url, body, headers) {
    var opts = { method: method, credentials: 'include', headers: headers || {} };
    if (body !== undefined) {
      opts.headers['Content-type'] = 'application/json';
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
        return done({ status: resp.status, json: json });
      });
    }, function () { return done({ status: 0, json: null }); });
  }
  function reasonText(reason) {
    var key = String(reason || '').replace('akeneo_connectivity.connection.connection.constraint.', '');
    return REASONS[key] || reason;
  }

  // ------------------------------------------------------------------ layout pieces
  /** `Button.tsx`: the literal `undefined` token from 5.0 (`${props.className}`). */
  function buttonClass(kind, listItem, disabled) {
    return (V >= 5 ? 'undefined ' : '') + (listItem ? 'AknButtonList-item ' : '') + 'AknButton--' + kind + ' AknButton' + (disabled ? ' AknButton--disabled' : '');
  }
  function setDisabled(button, disabled) {
    button.disabled = !!disabled;
    button.classList.toggle('AknButton--disabled', !!disabled);
  }
  function breadcrumb(steps) {
    if (V < 5) {
      return '<div class="AknBreadcrumb">' + steps.map(function (s) {
        return '<span class="AknBreadcrumb-item AknBreadcrumb-item--routable">' + esc(s[0]) + '</span>';
      }).join('') + '</div>';
    }
    return '<nav aria-label="Breadcrumb" class="' + sc('Breadcrumb', '&{display:flex;gap:6px;text-transform:uppercase;font-size:11px;}') + '">' +
      steps.map(function (s, i) {
        var lastOne = i === steps.length - 1;
        return (i ? '<span aria-hidden="true" class="' + sc('BreadcrumbSeparator', '&{color:#a1a9b7;}') + '">/</span>' : '') +
          '<a class="' + sc('BreadcrumbStep', '&{color:#9452ba;text-decoration:none;}&[aria-current]{color:#67768a;}') + '"' +
          (lastOne ? ' aria-current="page"' : ' href="' + s[1] + '"') + '>' + esc(s[0]) + '</a>';
      }).join('') + '</nav>';
  }
  function crumbs(extra) {
    var base = CONNECT ? [['Connect', '#/connect/data-flows'], ['Connection settings', '#' + BASE]]
      : [['System', '#/system/'], ['Connections', '#' + BASE]];
    return V >= 5 && extra ? base.concat([[extra, '']]) : base;
  }
  /** `PageHeader.tsx`: a styled `<header>`, no element with class `AknTitleContainer`. */
  function pageHeader(o) {
    return '<header class="' + sc('PageHeader', '&{padding:40px 40px 20px;background:#fff;position:sticky;top:0;z-index:10;}') + '">' +
      '<div class="AknTitleContainer-line">' + (o.image || '') +
      '<div class="AknTitleContainer-mainContainer"><div>' +
      '<div class="AknTitleContainer-line"><div class="AknTitleContainer-breadcrumbs">' + breadcrumb(o.crumbs) + '</div>' +
      '<div class="AknTitleContainer-buttonsContainer"><div class="AknTitleContainer-userMenuContainer AknTitleContainer-userMenu" title="' + esc((window.PIM_USER || {}).fullName || '') + '"></div>' +
      '<div class="AknTitleContainer-actionsContainer AknButtonList">' + (o.buttons || '') + '</div></div></div>' +
      '<div class="AknTitleContainer-line"><div class="AknTitleContainer-title">' + esc(o.title) + '</div>' +
      '<div class="AknTitleContainer-state">' + (o.state || '') + '</div></div>' +
      '</div></div></div></header>';
  }
  function layout(path, header, content) {
    return '<div class="AknDefault-contentWithColumn">' + S.column(path) +
      '<div class="AknDefault-contentWithBottom"><div class="AknDefault-mainContent ' + sc('MainContent', '&{flex:1;}') + '">' +
      header + '<div class="' + sc('PageContent', '&{padding:0 40px 40px;}') + '">' + content + '</div></div></div></div>';
  }
  function sectionTitle(text, count) {
    if (V >= 6) {
      return '<div class="' + sc('SectionTitle', '&{display:flex;align-items:center;justify-content:space-between;border-bottom:1px solid #11324d;padding-bottom:8px;margin:0 0 20px;}') + '">' +
        '<h2 class="' + sc('SectionTitleTitle', '&{text-transform:uppercase;font-size:13px;color:#11324d;margin:0;}') + '">' + esc(text) + '</h2>' +
        (count != null ? '<div class="' + sc('SectionTitleInfo', '&{font-size:11px;color:#a1a9b7;}') + '">' + esc(count) + '</div>' : '') + '</div>';
    }
    return '<header class="' + sc('LegacySection', '&{display:flex;align-items:baseline;justify-content:space-between;border-bottom:1px solid #11324d;padding-bottom:8px;margin:0 0 20px;text-transform:uppercase;color:#11324d;font-size:13px;}') + '">' +
      '<div>' + esc(text) + '</div>' + (count != null ? '<div class="' + sc('LegacySectionCount', '&{font-size:11px;color:#a1a9b7;text-transform:none;}') + '">' + esc(count) + '</div>' : '') + '</header>';
  }
  function countText(n) { return n === 1 ? '1 connection' : n + ' connections'; }
  /** An inline helper: 4.0 styled div (`InlineHelper`), DSM Helper from 5.0. */
  function inlineHelper(level, content) {
    if (V >= 5) { return S.helper(level, content, true); }
    return '<div class="' + sc('InlineHelper-' + level, '&{display:flex;align-items:center;gap:6px;font-size:12px;margin-top:6px;color:' + (level === 'warning' ? '#a3762b' : '#11324d') + ';}&>span{display:inline-flex;}') +
      '">' + (level === 'info' ? '<span>' + INFO_ICON + '</span>' : '') + '<div>' + content + '</div></div>';
  }
  function fieldErrors(msgs) {
    if (!msgs.length) { return ''; }
    if (V < 5) {
      return '<div class="AknFieldContainer-footer"><div class="AknFieldContainer-validationErrors">' + msgs.map(function (m) {
        return '<span class="AknFieldContainer-validationError">' + esc(m) + '</span>';
      }).join('') + '</div></div>';
    }
    return msgs.map(function (m) { return '<div><div class="AknFieldContainer-footer">' + S.helper('error', esc(m), true) + '</div></div>'; }).join('');
  }
  function infoFooter(content) {
    if (V < 5) { return '<div class="AknFieldContainer-footer">' + inlineHelper('info', content) + '</div>'; }
    return '<div><div class="AknFieldContainer-footer">' + S.helper('info', content, true) + '</div></div>';
  }
  /** `FormGroup`: label, input container, then footers (errors, helpers). */
  function field(o) {
    return '<div class="AknFieldContainer"' + (V >= 6 ? ' style="z-index: auto;"' : '') + '>' +
      '<div class="AknFieldContainer-header"><label class="AknFieldContainer-label"' + (o.id ? ' for="' + o.id + '"' : '') + '>' + esc(o.label) +
      (o.required ? NBSP + '(required)' : '') + '</label></div>' +
      '<div class="AknFieldContainer-inputContainer ' + sc('InputContainer', '&{position:relative;max-width:460px;}') + '">' + o.input + '</div>' +
      '<div>' + fieldErrors(o.errors || []) + '</div>' + (o.helper ? infoFooter(o.helper) : '') + '</div>';
  }
  function setErrors(fieldEl, msgs) {
    var f = fieldEl.children[2];
    f.innerHTML = fieldErrors(msgs);
  }
  var FLOW_HELP = 'Wondering what flow type is?' + NBSP + '<a href="https://help.akeneo.com/pim/serenity/articles/what-is-a-connection.html#choose-your-flow-type" target="_blank">We can help you right here!</a>';

  /** The legacy `AknFullPage` screen (`Modal.tsx`), rendered instead of the page. */
  function fullPage(o) {
    var v = mountRoot('<div class="AknFullPage"><div class="AknFullPage-content AknFullPage-content--withIllustration"' +
      (V >= 6 ? ' style="overflow-x: initial;"' : '') + '>' +
      '<div><div class="AknFullPage-image AknFullPage-illustration AknFullPage-illustration--api">' + ILLUSTRATION + '</div></div><div>' +
      '<div class="AknFullPage-titleContainer"><div class="AknFullPage-subTitle">' + esc(o.subTitle) + '</div>' +
      '<div class="AknFullPage-title">' + esc(o.title) + '</div>' + (o.description || '') + '</div>' +
      (o.body || '') + '</div></div></div><div class="AknFullPage-cancel"></div>');
    function onKey(ev) {
      if (ev.code === 'Escape' || ev.key === 'Escape') { document.removeEventListener('keydown', onKey, true); o.onCancel(); }
    }
    document.addEventListener('keydown', onKey, true);
    window.addEventListener('hashchange', function off() {
      document.removeEventListener('keydown', onKey, true);
      window.removeEventListener('hashchange', off);
    });
    one('.AknFullPage-cancel', v).addEventListener('click', function () { o.onCancel(); });
    return v;
  }

  // ------------------------------------------------------------------ select widgets
  var autogen = 0;
  /**
   * A single select: Select2 3.4.1 (4.x/5.x) or the design-system SelectInput (6.x+).
   * `o`: {id, css, options: [[value, text]], value, search, clearable, onChange(value)}.
   * Returns {html, bind(root)}; the widget is located by a generated id only.
   */
  function select(o) { return CONNECT ? selectInput(o) : select2(o); }
  function textOf(o, value) {
    var f = o.options.filter(function (op) { return String(op[0]) === String(value); })[0];
    return f ? f[1] : '';
  }

  function select2(o) {
    var n = ++autogen, id = 's2id_autogen' + n;
    var w = { value: o.value == null ? '' : String(o.value) };
    w.html = '<div class="select2-container' + (o.css ? ' ' + o.css : '') + (o.clearable && w.value ? ' select2-allowclear' : '') + '" id="' + id + '">' +
      '<a href="javascript:void(0)" class="select2-choice" tabindex="-1"><span class="select2-chosen">' + esc(textOf(o, w.value)) + '</span>' +
      (o.clearable ? '<abbr class="select2-search-choice-close"></abbr>' : '') +
      '<span class="select2-arrow" role="presentation"><b role="presentation"></b></span></a>' +
      '<label for="s2id_autogen' + n + '_focus" class="select2-offscreen"></label>' +
      '<input class="select2-focusser select2-offscreen" type="text" aria-haspopup="true" role="button" id="s2id_autogen' + n + '_focus"></div>' +
      '<input type="hidden" value="' + esc(w.value) + '" class="select2-offscreen" tabindex="-1">';
    w.bind = function (root) {
      var box = one('#' + id, root), hidden = box.nextElementSibling;
      var drop = null, mask = null, highlighted = 0, shown = [];
      function render() {
        var search = drop && one('.select2-input', drop);
        var q = search ? search.value.toLowerCase() : '';
        shown = o.options.filter(function (op) { return String(op[1]).toLowerCase().indexOf(q) >= 0; });
        highlighted = Math.min(highlighted, Math.max(0, shown.length - 1));
        var results = one('.select2-results', drop);
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
          li.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
          li.addEventListener('mouseup', function (ev) { ev.preventDefault(); choose(shown[i]); });
        });
      }
      function open() {
        if (drop) { return; }
        box.classList.add('select2-dropdown-open', 'select2-container-active');
        mask = html('<div id="select2-drop-mask" class="select2-drop-mask"></div>');
        document.body.appendChild(mask);
        mask.addEventListener('mousedown', function (ev) { ev.preventDefault(); close(); });
        var rect = box.getBoundingClientRect();
        drop = html('<div class="select2-drop select2-drop-active' + (o.css ? ' ' + o.css : '') + (o.search ? '' : ' select2-with-searchbox select2-search-hidden') +
          '" id="select2-drop" style="position:absolute;left:' + (rect.left + window.scrollX) + 'px;top:' + (rect.bottom + window.scrollY) + 'px;width:' + rect.width + 'px;display:block;">' +
          '<div class="select2-search' + (o.search ? '' : ' select2-search-hidden select2-offscreen') + '"><input type="text" autocomplete="off" class="select2-input"></div>' +
          '<ul class="select2-results" role="listbox"></ul></div>');
        document.body.appendChild(drop);
        highlighted = Math.max(0, o.options.map(function (op) { return String(op[0]); }).indexOf(w.value));
        var search = one('.select2-input', drop);
        search.addEventListener('input', function () { highlighted = 0; render(); });
        search.addEventListener('keydown', function (ev) {
          if (ev.key === 'ArrowDown') { highlighted = Math.min(highlighted + 1, shown.length - 1); render(); ev.preventDefault(); }
          if (ev.key === 'ArrowUp') { highlighted = Math.max(highlighted - 1, 0); render(); ev.preventDefault(); }
          if (ev.key === 'Enter') { ev.preventDefault(); choose(shown[highlighted]); }
          if (ev.key === 'Escape') { ev.stopPropagation(); close(); }
        });
        render();
        search.focus();
      }
      function close() {
        box.classList.remove('select2-dropdown-open', 'select2-container-active');
        if (mask && mask.parentNode) { mask.parentNode.removeChild(mask); }
        if (drop && drop.parentNode) { drop.parentNode.removeChild(drop); }
        mask = null;
        drop = null;
      }
      function setValue(v) {
        w.value = v == null ? '' : String(v);
        hidden.value = w.value;
        one('.select2-chosen', box).textContent = textOf(o, w.value);
        box.classList.toggle('select2-allowclear', !!(o.clearable && w.value));
      }
      function choose(op) {
        close();
        if (!op) { return; }
        setValue(op[0]);
        hidden.dispatchEvent(new Event('change', { bubbles: true }));
        if (o.onChange) { o.onChange(w.value); }
      }
      one('.select2-choice', box).addEventListener('mousedown', function (ev) {
        if (ev.target.classList.contains('select2-search-choice-close')) { return; }
        ev.preventDefault();
        if (drop) { close(); } else { open(); }
      });
      var clear = one('.select2-search-choice-close', box);
      if (clear) {
        clear.addEventListener('mousedown', function (ev) {
          ev.preventDefault();
          ev.stopPropagation();
          setValue('');
          if (o.onChange) { o.onChange(''); }
        });
      }
      window.addEventListener('hashchange', close);
    };
    return w;
  }

  /** DSM `SelectInput` (§6.2): label span under a transparent input, options in a portal. */
  function selectInput(o) {
    var w = { value: o.value == null ? '' : String(o.value) };
    var k = ++autogen;
    w.html = '<div class="' + sc('SelectInputContainer', '&{position:relative;width:100%;}') + '" data-w="' + k + '">' +
      '<div class="' + sc('InputContainer2', '&{position:relative;height:40px;border:1px solid #c7cbd4;border-radius:2px;background:#fff;}') + '">' +
      '<div class="' + sc('SelectedOptionContainer', '&{position:absolute;left:15px;right:60px;top:0;height:38px;line-height:38px;color:#11324d;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;}') + '"></div>' +
      '<div class="' + sc('TextInputWrapper', '&{position:absolute;inset:0;}') + '"><input id="' + o.id + '" type="text" value="" title="" class="' +
      sc('TextInput', '&{width:100%;height:100%;border:0;background:transparent;padding:0 60px 0 15px;outline:none;color:#11324d;cursor:pointer;}') + '"></div>' +
      '<div class="' + sc('ActionContainer', '&{position:absolute;right:8px;top:8px;display:flex;gap:4px;}') + '"></div></div></div>';
    w.bind = function (root) {
      var box = one('[data-w="' + k + '"]', root);
      box.removeAttribute('data-w');
      var input = one('input', box), holder = box.firstChild.firstChild, actions = box.firstChild.lastChild;
      var portal = null;
      function drawValue() {
        var show = w.value !== '' && input.value === '';
        holder.innerHTML = show ? '<span class="' + sc('Option', '&{}') + '" value="' + esc(w.value) + '">' + esc(textOf(o, w.value)) + '</span>' : '';
        actions.innerHTML = (o.clearable && w.value !== '' ? '<button role="button" type="button" title="" tabindex="0" class="' +
          sc('ClearButton', '&{border:0;background:none;cursor:pointer;color:#67768a;}') + '" data-act="clear">&times;</button>' : '') +
          '<button role="button" type="button" title="" tabindex="-1" class="' + sc('OpenButton', '&{border:0;background:none;cursor:pointer;color:#67768a;}') + '" data-act="open">&#9662;</button>';
        all('button', actions).forEach(function (b) {
          var act = b.getAttribute('data-act');
          b.removeAttribute('data-act');
          b.addEventListener('click', function (ev) {
            ev.preventDefault();
            if (act === 'clear') { setValue(''); if (o.onChange) { o.onChange(''); } } else { open(); }
          });
        });
      }
      function options() {
        var q = input.value.toLowerCase();
        return o.options.filter(function (op) { return (String(op[0]) + ' ' + String(op[1])).toLowerCase().indexOf(q) >= 0; });
      }
      function overlayRoot() {
        var r = one('#input-overlay-root');
        if (!r) { r = html('<div id="input-overlay-root"></div>'); document.body.appendChild(r); }
        return r;
      }
      function renderOptions() {
        if (!portal) { return; }
        var list = options(), holderEl = portal.lastChild.firstChild;
        holderEl.innerHTML = list.map(function (op) {
          return '<div class="' + sc('OptionContainer', '&{padding:10px 15px;cursor:pointer;color:#11324d;}&:hover,&:focus{background:#f5f9fc;color:#9452ba;outline:none;}') +
            '" data-testid="' + esc(op[0]) + '" tabindex="0"><span class="' + sc('Option', '&{}') + '" value="' + esc(op[0]) + '">' + esc(op[1]) + '</span></div>';
        }).join('') || '<div class="' + sc('EmptyResult', '&{padding:10px 15px;color:#a1a9b7;}') + '">Sorry, there are no results.</div>';
        all('[data-testid]', holderEl).forEach(function (el, i) {
          el.addEventListener('click', function () { choose(list[i]); });
          el.addEventListener('keydown', function (ev) {
            if (ev.key === 'Enter') { ev.preventDefault(); choose(list[i]); }
            if (ev.key === 'Escape') { close(); input.focus(); }
          });
        });
      }
      function open() {
        if (portal) { return; }
        var rect = box.getBoundingClientRect();
        portal = html('<div><div data-testid="backdrop" class="' + sc('Backdrop', '&{position:fixed;inset:0;z-index:2000;}') + '"></div>' +
          '<div class="' + sc('Overlay', '&{position:fixed;z-index:2001;background:#fff;box-shadow:0 0 4px rgba(0,0,0,.3);max-height:320px;overflow:auto;transition:opacity .15s ease-in;}') +
          '" style="opacity:0;top:' + rect.bottom + 'px;left:' + rect.left + 'px;width:' + rect.width + 'px"><div></div></div></div>');
        overlayRoot().appendChild(portal);
        portal.firstChild.addEventListener('click', close);
        requestAnimationFrame(function () { requestAnimationFrame(function () { if (portal) { portal.lastChild.style.opacity = '1'; } }); });
        renderOptions();
      }
      function close() {
        if (portal && portal.parentNode) { portal.parentNode.removeChild(portal); }
        portal = null;
        input.value = '';
        drawValue();
      }
      function setValue(v) {
        w.value = v == null ? '' : String(v);
        drawValue();
      }
      function choose(op) {
        close();
        input.focus();
        if (!op) { return; }
        setValue(op[0]);
        if (o.onChange) { o.onChange(w.value); }
      }
      input.addEventListener('click', open);
      input.addEventListener('input', function () { open(); drawValue(); renderOptions(); });
      input.addEventListener('keydown', function (ev) {
        if (ev.key === 'Escape') { close(); }
        if (ev.key === 'ArrowDown') {
          ev.preventDefault();
          open();
          var first = one('[data-testid="' + (w.value || '') + '"]', portal) || one('[data-testid]', portal);
          if (first) { first.focus(); }
        }
      });
      window.addEventListener('hashchange', function () { if (portal) { close(); } });
      drawValue();
    };
    return w;
  }

  // ------------------------------------------------------------------ list (§3)
  function listUrl() {
    return CONNECT ? '/rest/connections?search=' + encodeURIComponent(JSON.stringify({ types: ['default'] })) : '/rest/connections';
  }
  function mergeList(items) {
    items.forEach(function (it) {
      var known = state.connections[it.code] || { clientId: '', secret: '', username: '', password: null, userRoleId: '', userGroupId: null };
      known.code = it.code;
      known.label = it.label;
      known.flowType = it.flowType;
      known.image = it.image;
      known.auditable = !!it.auditable;
      state.connections[it.code] = known;
    });
    var codes = items.map(function (it) { return it.code; });
    Object.keys(state.connections).forEach(function (code) { if (codes.indexOf(code) < 0) { delete state.connections[code]; } });
  }
  function listPage(path) {
    var view = { wrong: null, limitReached: false };
    renderList(path, view);
    // Fired after the first render, all in the same tick, in this order (§3.5).
    var calls = [];
    if (V >= 7) {
      calls.push(api('GET', '/rest/connections/max-limit-reached', undefined, { 'X-Requested-With': 'XMLHttpRequest' }).then(function (res) {
        view.limitReached = !(res.status === 200 && res.json && res.json.limitReached === false);
      }));
    }
    calls.push(api('GET', listUrl()).then(function (res) {
      if (res.status === 200 && Array.isArray(res.json)) { mergeList(res.json); }
    }));
    if (V >= 5) {
      calls.push(api('GET', '/rest/connections/wrong-credentials-combination').then(function (res) {
        view.wrong = res.status === 200 ? res.json : null;
      }));
    }
    calls.forEach(function (p) { p.then(function () { if (stillOn(path) && state) { renderList(path, view); } }); });
  }
  function wrongFor(wrong, code) {
    var e = wrong && wrong[code];
    return e && e.users && e.users.length ? e : null;
  }
  function renderList(path, view) {
    var codes = Object.keys(state.connections);
    var n = codes.length;
    var disabled = V >= 7 ? view.limitReached : n >= MAX;
    var button = '<button type="button" class="' + buttonClass('apply', true, disabled) + '"' + (disabled ? ' disabled' : '') +
      (V >= 7 ? ' title="' + (disabled ? esc(LIMIT_TITLE) : '') + '"' : '') + '>Create</button>';
    var helperTitle = CONNECT ? (n === 0 ? 'For now, you have no connection to link your PIM to third-party applications.'
      : 'You have ' + n + ' connection' + (n === 1 ? '' : 's') + ' linking your PIM to third-party applications. Well done, this way your PIM is well integrated into its ecosystem.')
      : '\ud83d\udc4b Welcome to the feature that will properly connect your PIM!';
    var description = '<div class="AknDescriptionHeader"><div class="AknDescriptionHeader-icon">' + ILLUSTRATION + '</div>' +
      '<div class="AknDescriptionHeader-title">' + esc(helperTitle) + '<div class="AknDescriptionHeader-description">' +
      (CONNECT ? '' : '<p>A PIM without any third-party integrations is kinda useless, isn\'t it? Thanks to connections, you can declare all the data flows that will be pushed inside and pulled outside your PIM.</p>') +
      '<a class="AknDescriptionHeader-link" href="https://help.akeneo.com/pim/serenity/articles/what-is-a-connection.html" target="_blank">' +
      (CONNECT ? 'To find out more about Connections, check out this page' : 'Eager to know more? Find out what is a connection and how to make the most of it right here!') + '</a></div></div></div>';
    var content;
    if (!n) {
      content = '<div class="' + sc('EmptyState', '&{text-align:center;padding:40px 0;}') + '"><img class="' + sc('EmptyImage', '&{width:256px;height:256px;}') + '" src="' + IMAGE + '" alt=""/>' +
        '<div class="' + sc('EmptyTitle', '&{color:#11324d;font-size:28px;margin:20px 0 10px;}') + '">No connection declared yet.</div>' +
        '<div class="' + sc('EmptyText', '&{font-size:15px;}') + '">Add your first one by clicking on the \u201cCreate\u201d button above or' + NBSP +
        '<a class="' + sc('EmptyLink', '&{text-decoration:underline;cursor:pointer;}') + '">click here.</a></div></div>';
    } else {
      var anyWrong = codes.some(function (code) { return wrongFor(view.wrong, code); });
      content = SECTIONS.map(function (s) {
        var items = codes.map(function (code) { return state.connections[code]; }).filter(function (cn) { return cn.flowType === s[0]; });
        if (!items.length) { return ''; }
        return '<div data-testid="' + s[1] + '">' + sectionTitle(items.length === 1 ? s[2] + ' ' : s[3], countText(items.length)) +
          (V >= 5 && anyWrong ? '<div class="AknSubsection">Some of the connections below are not using their connection usernames. They are identified by a yellow warning sign.</div>' : '') +
          '<div class="' + sc('Grid', '&{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:20px;margin-bottom:40px;}') + '">' +
          items.map(function (cn) {
            return '<div class="' + sc('Card', '&{border:1px solid #e8ebee;cursor:pointer;background:#fff;}&:hover{border-color:#9452ba;}') + '" data-card="' + esc(cn.code) + '">' +
              '<div><div><img class="AknImage-display" src="' + esc(cn.image || IMAGE) + '" alt="' + esc(cn.label) + '"/></div></div>' +
              '<div class="' + sc('CardLabel', '&{padding:12px 14px;color:#11324d;font-size:15px;border-top:1px solid #e8ebee;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;}') +
              '" title="' + esc(cn.label) + '">' + esc(cn.label) + (wrongFor(view.wrong, cn.code) ? ' <span aria-hidden="true" style="color:#f9b53f">\u26a0</span>' : '') + '</div></div>';
          }).join('') + '</div></div>';
      }).join('');
    }
    var v = mountRoot(layout(path, pageHeader({ crumbs: crumbs(), title: LIST_TITLE, buttons: button }),
      description + content));
    var create = one('.AknTitleContainer-actionsContainer .AknButton--apply', v);
    create.addEventListener('click', function () { if (!create.disabled) { location.hash = '#' + BASE + '/create'; } });
    var link = one('.AknDescriptionHeader ~ div a:not([href])', v);
    if (link) { link.addEventListener('click', function () { location.hash = '#' + BASE + '/create'; }); }
    all('[data-card]', v).forEach(function (card) {
      var code = card.getAttribute('data-card');
      card.removeAttribute('data-card');
      card.addEventListener('click', function () { location.hash = '#' + BASE + '/' + encodeURIComponent(code) + '/edit'; });
    });
  }

  // ------------------------------------------------------------------ create (§4)
  function sanitize(label) {
    return label.replace(/ /g, '').replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
  }
  /** What the browser's constraint validation says about a typed value. */
  function typedProblem(kind, value) {
    if (!value) { return REASONS[kind + '.required']; }
    if (value.length < 3) { return REASONS[kind + '.too_short']; }
    if (kind === 'code' && !/^[0-9a-zA-Z_]+$/.test(value)) { return REASONS['code.invalid']; }
    return null;
  }
  function createPage() {
    var model = { label: '', code: '', flow_type: 'data_source' };
    var typed = { label: false, code: false }, server = {}, saving = false, serverCodeBlock = false;
    var flow = select({ id: 'flow_type', css: 'flowType', options: FLOW_TYPES, value: model.flow_type,
      onChange: function (value) { model.flow_type = value; } });
    var save = '<button type="button" class="' + buttonClass('apply', false, true) + '" disabled>Save</button>';
    var form = '<form class="AknFormContainer" data-testid="create-connection">' +
      field({ id: 'label', label: 'Label', required: true,
        input: '<input type="text" name="label" id="label" class="AknTextField" required minlength="3" maxlength="100" value="">' }) +
      field({ id: 'code', label: 'Code', required: true,
        input: '<input type="text" name="code" id="code" class="AknTextField" required minlength="3" maxlength="100" pattern="^[0-9a-zA-Z_]+$" value="">' }) +
      field({ id: CONNECT ? 'flow_type' : null, label: 'Flow type', required: true, input: flow.html, helper: FLOW_HELP }) +
      save + '</form>';
    var v = fullPage({
      subTitle: 'Connections', title: 'Create a new connection',
      description: esc(V >= 7 ? 'You can connect up to 50 third-parties or Apps.' : 'You can create up to 50 connections.'),
      body: form, onCancel: function () { location.hash = '#' + BASE; }
    });
    flow.bind(v);
    var labelInput = one('#label', v), codeInput = one('#code', v), saveButton = one('form > button', v);
    var fields = all('form > .AknFieldContainer', v);
    function refresh() {
      var le = typed.label ? typedProblem('label', model.label) : null;
      var ce = typed.code ? typedProblem('code', model.code) : null;
      setErrors(fields[0], [server.label || le].filter(Boolean));
      setErrors(fields[1], [server.code || ce].filter(Boolean));
      // A generated code is valid for the reducer; a typed one goes through checkValidity().
      var labelOk = !typedProblem('label', model.label);
      var codeOk = typed.code ? !typedProblem('code', model.code) : true;
      setDisabled(saveButton, saving || !labelOk || !codeOk || serverCodeBlock || !!server.label);
    }
    labelInput.addEventListener('input', function () {
      model.label = labelInput.value;
      typed.label = true;
      server.label = null;
      if (!typed.code) {
        model.code = sanitize(model.label);
        codeInput.value = model.code;
        server.code = null;
        serverCodeBlock = false;
      }
      refresh();
    });
    codeInput.addEventListener('input', function () {
      typed.code = true;
      model.code = codeInput.value;
      server.code = null;
      serverCodeBlock = false;
      refresh();
    });
    one('form', v).addEventListener('submit', function (ev) { ev.preventDefault(); });
    saveButton.addEventListener('click', function () {
      if (saveButton.disabled) { return; }
      saving = true;
      refresh();
      var sent = { code: model.code, label: model.label, flow_type: model.flow_type };
      api('POST', '/rest/connections', sent).then(function (res) {
        saving = false;
        if ((res.status === 201 || res.status === 200) && res.json) {
          var j = res.json;
          state.connections[sent.code] = { code: j.code, label: j.label, flowType: j.flow_type, image: j.image, auditable: !!j.auditable,
            clientId: j.client_id, secret: j.secret, username: j.username, password: j.password, userRoleId: String(j.user_role_id || ''),
            userGroupId: j.user_group_id == null ? null : String(j.user_group_id) };
          state.passwords[sent.code] = j.password;
          notify('success', 'Connection successfully created.');
          location.hash = '#' + BASE + '/' + encodeURIComponent(sent.code) + '/edit';
          return;
        }
        if (res.status === 422 && res.json && Array.isArray(res.json.errors)) {
          res.json.errors.forEach(function (e) {
            if (!e.name) { notify('error', reasonText(e.reason)); return; }
            server[e.name] = reasonText(e.reason);
            if (e.name === 'code') { serverCodeBlock = true; }
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

  // ------------------------------------------------------------------ edit (§5)
  function fromServer(j) {
    return { code: j.code, label: j.label, flowType: j.flow_type, image: j.image, auditable: !!j.auditable, clientId: j.client_id,
      secret: j.secret, username: j.username, password: null, userRoleId: j.user_role_id == null ? '' : String(j.user_role_id),
      userGroupId: j.user_group_id == null ? null : String(j.user_group_id) };
  }
  function editPage(path, code) {
    var view = { roles: null, groups: null, wrong: null, form: null, saved: null, saving: false };
    var warm = !!state.connections[code];
    function rerender() { if (stillOn(path) && state && state.connections[code]) { renderEdit(path, code, view); } }
    function gotConnection(res) {
      if (!(res.status >= 200 && res.status < 300) || !res.json) {
        if (stillOn(path)) { location.hash = '#' + BASE; }
        return false;
      }
      var fresh = fromServer(res.json), known = state.connections[code];
      // `"password": null` never erases a password already in state.
      fresh.password = (known && known.password) || state.passwords[code] || null;
      state.connections[code] = fresh;
      return true;
    }
    function roles() { return api('GET', '/rest/user_role/').then(function (r) { view.roles = Array.isArray(r.json) ? r.json : []; rerender(); }); }
    function groups() { return api('GET', '/rest/user_group/').then(function (r) { view.groups = Array.isArray(r.json) ? r.json : []; rerender(); }); }
    function wrong() {
      return V >= 5 ? api('GET', '/rest/connections/wrong-credentials-combination').then(function (r) { view.wrong = r.status === 200 ? r.json : null; rerender(); })
        : Promise.resolve();
    }
    if (warm) {
      rerender();
      roles();
      groups();
      wrong();
      api('GET', '/rest/connections/' + encodeURIComponent(code)).then(function (res) { if (gotConnection(res)) { view.saved = null; rerender(); } });
    } else {
      mountRoot('');
      wrong();
      api('GET', '/rest/connections/' + encodeURIComponent(code)).then(function (res) {
        if (!gotConnection(res)) { return; }
        rerender();
        roles();
        groups();
      });
    }
  }
  function iconButton(title, svg) {
    return '<button type="button" title="' + title + '" class="' + sc('IconButton', '&{width:24px;height:24px;padding:0;border:0;background:none;color:#67768a;cursor:pointer;}&:hover{color:#9452ba;}') + '">' + svg + '</button>';
  }
  var COPY_SVG = '<svg viewBox="0 0 24 24" width="20" height="20"><rect x="8" y="8" width="11" height="13" fill="none" stroke="currentColor"/><path d="M5 16V3h11" fill="none" stroke="currentColor"/></svg>';
  var REFRESH_SVG = '<svg viewBox="0 0 24 24" width="20" height="20"><path d="M19 12a7 7 0 1 1-2.05-4.95M19 4v4h-4" fill="none" stroke="currentColor"/></svg>';
  function credentialsGrid(cn) {
    var cell = sc('CredentialCell', '&{padding:10px 0;border-bottom:1px solid #e8ebee;min-height:44px;display:flex;align-items:center;gap:6px;}');
    var label = sc('CredentialLabel', '&{color:' + (V < 6 ? '#9452ba;font-weight:bold;' : '#11324d;') + 'padding-right:20px;}');
    function row(name, value, actions) {
      return '<div class="' + cell + ' ' + label + '">' + name + '</div><div class="' + cell + '"><span>' + esc(value) + '</span></div><div class="' + cell + '">' + actions + '</div>';
    }
    var out = row('Client ID', cn.clientId, iconButton('Copy to clipboard', COPY_SVG)) +
      row('Secret', cn.secret, iconButton('Regenerate', REFRESH_SVG) + iconButton('Copy to clipboard', COPY_SVG)) +
      row('Username', cn.username, iconButton('Copy to clipboard', COPY_SVG));
    var span = sc('CredentialHelper', '&{grid-column:1 / span 3;}');
    if (cn.password) {
      out += row('Password', cn.password, iconButton('Copy to clipboard', COPY_SVG)) + '<div class="' + span + '">' +
        inlineHelper('warning', 'Make sure to save this password somewhere as we won\u2019t show it to you twice. <a href="https://help.akeneo.com/" target="_blank">More info\u2026</a>') + '</div>';
    } else {
      out += '<div class="' + cell + ' ' + label + '">Password</div><div class="' + cell + '">\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022</div><div class="' + cell + '">' +
        iconButton('Regenerate', REFRESH_SVG) + '</div><div class="' + span + '">' +
        inlineHelper('info', 'If you forgot your password, you can generate a new one here. <a href="https://help.akeneo.com/" target="_blank">More info\u2026</a>') + '</div>';
    }
    return '<div class="' + sc('CredentialGrid', '&{display:grid;grid-template-columns:auto 1fr auto;margin-bottom:20px;}') + '">' + out + '</div>';
  }
  /** Takes the element marked `data-slot=name` out of `root` (the mark is removed). */
  function slot(root, name) {
    var el = one('[data-slot="' + name + '"]', root);
    el.removeAttribute('data-slot');
    return el;
  }
  /**
   * The edit page. Mounted once per visit; data arriving later (roles, groups, the connection's
   * credentials) updates its blocks in place, as React reconciliation does, so element handles
   * stay valid.
   */
  function renderEdit(path, code, view) {
    var cn = state.connections[code];
    if (!view.form || !view.saved) {
      var fresh = { label: cn.label, flow_type: cn.flowType, auditable: cn.auditable, image: cn.image || null,
        user_role_id: cn.userRoleId, user_group_id: cn.userGroupId };
      // Mutated in place: the mounted page's handlers hold this object.
      view.form = view.form || {};
      Object.keys(fresh).forEach(function (k) { view.form[k] = fresh[k]; });
      view.saved = JSON.stringify(view.form);
      view.reset = true;
    }
    if (!view.root || !document.body.contains(view.root)) {
      mountEdit(path, code, view);
    } else if (view.reset) {
      one('#label', view.root).value = view.form.label;
    }
    view.reset = false;
    view.creds.innerHTML = credsBlock(cn, view);
    bindCredentials(view.creds, cn);
    view.perms();
    view.refresh();
  }
  function credsBlock(cn, view) {
    var wrongEntry = wrongFor(view.wrong, cn.code);
    return '<div><div class="AknSubsection"><div class="' + sc('SubsectionIcon', '&{display:flex;align-items:center;padding-right:14px;margin-right:14px;border-right:1px solid #c7cbd4;}') + '">' + INFO_ICON + '</div><div class="' + sc('SubsectionText', '&{flex:1;}') + '">' +
      'Here are the credentials to use in your ' + esc(cn.label) + ' connector.' + NBSP + '<a class="AknDescriptionHeader-link" href="https://help.akeneo.com/" target="_blank">Learn more here...</a></div></div>' +
      (V >= 5 && wrongEntry ? '<div class="AknSubsection">We noticed that you are using the ' + esc(wrongEntry.users[wrongEntry.users.length - 1].username) +
        ' username for this connection. We recommend using the ' + esc(cn.username) + ' username instead.</div>' : '') + '</div>' + credentialsGrid(cn);
  }
  function mountEdit(path, code, view) {
    var cn = state.connections[code], form = view.form;
    var flow = select({ id: 'flow_type', css: 'flowType', options: FLOW_TYPES, value: form.flow_type,
      onChange: function (x) { form.flow_type = x; if (x === 'other') { form.auditable = false; } refresh(); } });
    var buttons = '<div class="AknSecondaryActions AknDropdown AknButtonList-item"><div class="AknSecondaryActions-button" data-toggle="dropdown"></div>' +
      '<div class="AknDropdown-menu AknDropdown-menu--right"><div class="AknDropdown-menuTitle">Other actions</div>' +
      '<button type="button" class="AknDropdown-menuLink">Delete</button></div></div>' +
      '<button type="button" class="' + buttonClass('apply', true, true) + '" disabled>Save</button>';
    var image = '<div class="AknImage AknImage--readOnly"><img class="AknImage-display" src="' + esc(cn.image || IMAGE) + '" alt=""/></div>';
    var settings = sectionTitle('Settings') + '<div class="AknFormContainer">' +
      field({ id: 'code', label: 'Code', input: '<input type="text" id="code" class="AknTextField" value="' + esc(cn.code) + '" disabled>' }) +
      field({ id: 'label', label: 'Label', required: true, input: '<input type="text" name="label" id="label" class="AknTextField" required maxlength="100" value="' + esc(form.label) + '">' }) +
      field({ id: CONNECT ? 'flow_type' : null, label: 'Flow type', input: flow.html, helper: FLOW_HELP }) +
      (V >= 5 ? '<div class="AknFieldContainer"><label><input type="checkbox" name="auditable"> ' +
        (V >= 6 ? 'Track in Data flows dashboard' : 'Track this connection in the dashboard') + '</label><div data-slot="audit-help"></div></div>' : '') +
      '<div class="AknFieldContainer"><div class="AknFieldContainer-header"><label class="AknFieldContainer-label">Image</label></div>' +
      '<div class="' + sc('ImageUploader', '&{display:flex;align-items:center;gap:16px;border:1px dashed #c7cbd4;padding:12px;max-width:460px;color:#a1a9b7;}') + '"><img src="' + esc(cn.image || IMAGE) + '" alt="" width="64" height="64"/><span>Drag and drop or click to upload an image</span></div></div></div>';
    var perms = '<br>' + sectionTitle('Permissions') + '<div class="AknSubsection">In this section, you can define permissions for your ' + esc(cn.label) + ' connection.' + NBSP +
      '<a href="https://help.akeneo.com/" target="_blank">Learn more about connection permissions...</a></div><div class="AknFormContainer">' +
      '<div data-slot="role"></div><div data-slot="group"></div></div>';
    var columns = sc('EditColumns', '&{display:grid;grid-template-columns:1fr 1fr;gap:40px;align-items:start;}');
    var v = mountRoot(layout(path, pageHeader({ crumbs: crumbs(cn.label), title: form.label, image: image, buttons: buttons }),
      '<div class="' + columns + '"><div>' + settings + '</div><div>' + sectionTitle('Credentials') + '<div data-slot="creds"></div>' + perms + '</div></div>'));
    view.root = v;
    view.creds = slot(v, 'creds');
    var roleSlot = slot(v, 'role'), groupSlot = slot(v, 'group'), auditHelp = V >= 5 ? slot(v, 'audit-help') : null;
    flow.bind(v);
    var save = one('.AknTitleContainer-actionsContainer .AknButton--apply', v), labelInput = one('#label', v), audit = one('input[name=auditable]', v);
    var labelField = labelInput.closest('.AknFieldContainer');
    var roleShown = null, groupShown = false, userRole = null;
    view.perms = function () {
      var roleList = view.roles || [];
      var want = !!view.roles && roleList.some(function (r) { return String(r.id) === String(form.user_role_id); }) ? form.user_role_id : null;
      if (want !== null && roleShown === null) {
        userRole = roleList.filter(function (r) { return r.role === 'ROLE_USER'; })[0];
        var role = select({ id: 'user_role', options: roleList.map(function (r) { return [String(r.id), r.label]; }), value: form.user_role_id, search: true,
          onChange: function (x) { form.user_role_id = x; refresh(); } });
        roleSlot.innerHTML = field({ id: CONNECT ? 'user_role' : null, label: 'Role', input: role.html }) + '<div></div>';
        role.bind(roleSlot);
        roleShown = want;
      }
      if (view.groups && !groupShown) {
        var groupList = view.groups.filter(function (g) { return !(g.meta && g.meta.default); });
        var group = select({ id: 'user_group', options: groupList.map(function (g) { return [String(g.meta.id), g.name]; }), value: form.user_group_id,
          search: true, clearable: true, onChange: function (x) { form.user_group_id = x || null; refresh(); } });
        groupSlot.innerHTML = field({ id: CONNECT ? 'user_group' : null, label: 'Group', input: group.html }) + '<div></div>';
        group.bind(groupSlot);
        groupShown = true;
      }
    };
    function refresh() {
      var dirty = JSON.stringify(form) !== view.saved;
      var t = form.label.trim(), problem = !t ? REASONS['label.required'] : (t.length < 3 ? REASONS['label.too_short'] : null);
      setErrors(labelField, problem ? [problem] : []);
      setDisabled(save, !dirty || !!problem || view.saving);
      one('.AknTitleContainer-state', v).innerHTML = dirty ? '<div class="updated-status"><span class="AknState">There are unsaved changes.</span></div>' : '';
      if (audit) {
        audit.disabled = form.flow_type === 'other';
        audit.checked = !!form.auditable;
        auditHelp.innerHTML = form.flow_type === 'other' ? inlineHelper('info', 'You can only track "Source" and "Destination" connections. <a href="https://help.akeneo.com/" target="_blank">More info\u2026</a>') : '';
      }
      if (roleShown !== null) {
        roleSlot.lastChild.innerHTML = userRole && String(form.user_role_id) === String(userRole.id)
          ? inlineHelper('warning', 'The default `' + esc(userRole.label) + '` role is not the best choice for your connection. We strongly recommend you to choose a role tailored for your connection needs.' + NBSP + '<a href="https://help.akeneo.com/" target="_blank">More information here...</a>') : '';
      }
      if (groupShown) {
        groupSlot.lastChild.innerHTML = !form.user_group_id ? inlineHelper('warning', 'We strongly recommend you to choose a group tailored for your connection needs.' + NBSP + '<a href="https://help.akeneo.com/" target="_blank">More information here...</a>') : '';
      }
    }
    view.refresh = refresh;
    labelInput.addEventListener('input', function () { form.label = labelInput.value; refresh(); });
    if (audit) { audit.addEventListener('change', function () { form.auditable = audit.checked; refresh(); }); }
    var dropdown = one('.AknSecondaryActions', v);
    one('.AknSecondaryActions-button', v).addEventListener('click', function () { dropdown.classList.toggle('open'); });
    one('.AknDropdown-menuLink', v).addEventListener('click', function () { location.hash = '#' + BASE + '/' + encodeURIComponent(code) + '/delete'; });
    save.addEventListener('click', function () {
      if (save.disabled) { return; }
      view.saving = true;
      refresh();
      var body = { code: code, label: form.label, flow_type: form.flow_type, image: form.image };
      if (V >= 5) { body.auditable = form.auditable; }
      body.user_role_id = form.user_role_id;
      body.user_group_id = form.user_group_id;
      api('POST', '/rest/connections/' + encodeURIComponent(code), body).then(function (res) {
        view.saving = false;
        if (res.status === 204) {
          cn.label = form.label;
          cn.flowType = form.flow_type;
          cn.auditable = form.auditable;
          cn.userRoleId = form.user_role_id;
          cn.userGroupId = form.user_group_id;
          view.saved = JSON.stringify(form);
          one('.AknTitleContainer-title', v).textContent = form.label;
          notify('success', 'Connection successfully updated.');
        } else if (res.status === 422 && res.json && Array.isArray(res.json.errors)) {
          res.json.errors.forEach(function (e) { notify('error', reasonText(e.reason)); });
        } else {
          notify('error', 'Sorry, an error occurred while editing the connection.');
        }
        refresh();
      });
    });
  }
  function bindCredentials(v, cn) {
    all('button[title="Copy to clipboard"]', v).forEach(function (b) {
      b.addEventListener('click', function () {
        var row = b.parentNode, name = row.previousElementSibling.previousElementSibling.textContent;
        var span = one('span', row.previousElementSibling);
        var range = document.createRange();
        range.selectNodeContents(span);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try { document.execCommand('copy'); } catch (e) { /* no clipboard in headless browsers */ }
        notify('info', name + ' copied to clipboard');
      });
    });
    all('button[title="Regenerate"]', v).forEach(function (b) {
      var name = b.parentNode.previousElementSibling.previousElementSibling.textContent;
      b.addEventListener('click', function () {
        location.hash = '#' + BASE + '/' + encodeURIComponent(cn.code) + '/regenerate-' + (name === 'Secret' ? 'secret' : 'password');
      });
    });
  }

  // ------------------------------------------------------------------ regenerate / delete (§5.2, §5.4)
  function editHash(code) { return '#' + BASE + '/' + encodeURIComponent(code) + '/edit'; }
  var HELP_LINK = NBSP + '<a href="https://help.akeneo.com/" target="_blank">Here is what will happen.</a>';
  function regeneratePage(path, code, what) {
    var v = fullPage({
      subTitle: 'Connections', title: 'Confirm regeneration',
      description: 'Are you sure you want to regenerate the connection ' + what + '? Not sure about the impacts?' + HELP_LINK,
      body: '<div class="AknButtonList"><button type="button" class="' + buttonClass('grey', true) + '">Cancel</button>' +
        '<button type="button" class="' + buttonClass('important', true) + '">Regenerate</button></div>',
      onCancel: function () { location.hash = editHash(code); }
    });
    one('.AknButton--grey', v).addEventListener('click', function () { location.hash = editHash(code); });
    var ok = one('.AknButton--important', v);
    ok.addEventListener('click', function () {
      if (ok.disabled) { return; }
      ok.disabled = true;
      api('POST', '/rest/connections/' + encodeURIComponent(code) + '/regenerate-' + what).then(function (res) {
        if (what === 'secret' && res.status === 204) {
          notify('success', 'Connection secret successfully regenerated.');
        } else if (what === 'password' && res.status === 200 && res.json && res.json.password) {
          state.passwords[code] = res.json.password;
          if (state.connections[code]) { state.connections[code].password = res.json.password; }
          notify('success', 'Connection password successfully regenerated.');
        } else {
          notify('error', 'Sorry, an error occurred while regenerating the connection ' + what + '.');
        }
        location.hash = editHash(code);
      });
    });
  }
  function deletePage(path, code) {
    var v = fullPage({
      subTitle: 'Connections', title: 'Confirm deletion',
      description: 'Are you sure you want to delete the connection? Not sure about the impacts?' + HELP_LINK,
      body: '<button type="button" class="' + buttonClass('grey', false) + '">Cancel</button>' +
        '<button type="button" class="' + buttonClass('important', false) + '">Delete</button>',
      onCancel: function () { location.hash = editHash(code); }
    });
    one('.AknButton--grey', v).addEventListener('click', function () { location.hash = editHash(code); });
    var ok = one('.AknButton--important', v);
    ok.addEventListener('click', function () {
      if (ok.disabled) { return; }
      ok.disabled = true;
      api('DELETE', '/rest/connections/' + encodeURIComponent(code)).then(function (res) {
        if (res.status === 204) {
          delete state.connections[code];
          delete state.passwords[code];
          notify('success', 'Connection successfully deleted.');
          location.hash = '#' + BASE;
        } else {
          ok.disabled = false;
          notify('error', 'Sorry, an error occurred while deleting the connection.');
        }
      });
    });
  }

  // ------------------------------------------------------------------ 6.x+ Connect > Data flows
  function dataFlowsPage(path) {
    document.title = 'Data flows';
    return Promise.resolve(function () {
      S.mount(layout(path, pageHeader({ crumbs: [['Connect', '#/connect/data-flows'], ['Data flows', '']], title: 'Data flows' }),
        '<div class="' + sc('EmptyState', '') + '"><img src="' + IMAGE + '" alt="" width="256" height="256"/>' +
        '<div>No connection to track yet.</div></div>'));
    });
  }
}());
