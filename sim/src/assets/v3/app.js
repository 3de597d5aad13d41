/*
 * Akeneo PIM 3.x back office look-alike: a small hash router (pim/router), page renderers,
 * datagrids, creation modals, the role form behaviours and flash messages. Vanilla JS, no build.
 *
 * Quirks kept on purpose (they are the real product's): 150 ms XHR latency is server-side;
 * `.hash-loading-mask .loading-mask` shows while a route loads; grids and modals show their own
 * `.loading-mask` during XHRs; the user modal model updates on `keyup`, the API-connection label on
 * `change` only; ACL group panes stay hidden until their vertical tab is clicked; saving an existing
 * role reloads the whole page; flashes auto-hide.
 */
(function () {
  'use strict';

  // ------------------------------------------------------------------ helpers
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function one(sel, root) { return (root || document).querySelector(sel); }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' }[c];
    });
  }
  function html(str) { var t = document.createElement('template'); t.innerHTML = str.trim(); return t.content.firstChild; }
  function randomId() { return 'pim_enrich_form_' + Math.floor(Math.random() * 1e15); }

  // In-flight XHR count, exposed like jQuery's `$.active` so that Behat-style waits
  // (`typeof $ != 'undefined' && !$.active && ...`) work as on the real product.
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

  function request(method, url, body, contentType) {
    return new Promise(function (resolve) {
      var r = new XMLHttpRequest();
      r.open(method, url, true);
      r.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      if (contentType) { r.setRequestHeader('Content-Type', contentType); }
      active++;
      r.onloadend = function () {
        var json = null;
        try { json = JSON.parse(r.responseText); } catch (e) { json = null; }
        if (r.status === 401) { window.location = '/user/login'; return; }
        resolve({ status: r.status, text: r.responseText, json: json });
        // Decrement after the callbacks of this response have rendered.
        setTimeout(function () { active--; }, 0);
      };
      r.send(body == null ? null : body);
    });
  }

  // Injected faults (`sim --fault`): mask-linger, rerender, flash-late.
  var FAULTS = window.PimSimFaults || {};
  var lateFlashes = [];
  /** `rerender` fault: runs `fn` once, a moment after loading (old handles go stale). */
  function rerenderOnce(fn) {
    if (FAULTS.rerender) { setTimeout(fn, 120); }
  }

  // ------------------------------------------------------------------ flash messages (§6.6)
  function notify(type, message, now) {
    // 5.x+ (v4/shell.js): design-system MessageBars instead of the legacy flashes.
    if (window.PimSim && window.PimSim.notifyOverride) { window.PimSim.notifyOverride(type, message); return; }
    if (FAULTS.flashLate && !now) { lateFlashes.push([type, message]); return; }
    var holder = one('#flash-messages .flash-messages-holder');
    if (!holder) { return; }
    var cls = type === 'error' ? 'alert-error AknFlash--error' : 'alert-' + type + ' AknFlash--' + type;
    var el = html('<div class="AknFlash alert ' + cls + ' AknFlash--withTimer top-messages">' +
      '<div class="AknFlash-message"><div class="AknFlash-messageContent">' + esc(message) + '</div></div>' +
      '<span class="AknFlash-closeButton close">&times;</span><div class="flash-timer"></div></div>');
    holder.appendChild(el);
    requestAnimationFrame(function () { el.classList.add('AknFlash--visible'); });
    function close() {
      el.classList.remove('AknFlash--visible');
      el.classList.add('AknFlash--crushed');
      setTimeout(function () { if (el.parentNode) { el.parentNode.removeChild(el); } }, 1500);
    }
    one('.close', el).addEventListener('click', close);
    setTimeout(close, 5000);
  }

  // ------------------------------------------------------------------ loading masks
  function hashMask(show) {
    var m = one('.hash-loading-mask .loading-mask');
    if (!m) { return; }
    if (!show && FAULTS.maskLingerMs) {
      setTimeout(function () { m.style.display = 'none'; }, FAULTS.maskLingerMs);
      return;
    }
    m.style.display = show ? 'block' : 'none';
  }
  function maskHtml() { return '<div class="AknLoadingMask loading-mask"></div>'; }

  // ------------------------------------------------------------------ modals
  function closeModals() { all('body > .modal').forEach(function (m) { m.parentNode.removeChild(m); }); }

  /** Full-page modal (3.x bootstrap-modal chrome). `fields` is HTML; returns the element. */
  function fullPageModal(opts) {
    // 2.x: the older bootstrap-modal chrome (v2/app.js sets PimSim.modal).
    if (window.PimSim && window.PimSim.modal) { return window.PimSim.modal(opts); }
    var el = html('<div class="modal" tabindex="-1">' +
      '<div class="AknFullPage"><div class="AknFullPage-content AknFullPage-content--withIllustration">' +
      '<div><img class="AknFullPage-image" src="' + opts.picture + '" alt=""/></div>' +
      '<div>' +
      '<div class="AknFullPage-titleContainer"><div class="AknFullPage-subTitle">' + esc(opts.subTitle) + '</div>' +
      '<div class="AknFullPage-title">' + esc(opts.title) + '</div></div>' +
      (opts.description ? '<div class="AknFullPage-description">' + esc(opts.description) + '</div>' : '') +
      '<div class="modal-body ' + (opts.bodyClass || 'creation') + '">' + (opts.body || '') + '</div>' +
      '<div class="AknButtonList">' +
      '<div class="AknButton AknButton--grey AknButtonList-item cancel">' + esc(opts.cancelText || 'Cancel') + '</div>' +
      '<div title="' + esc(opts.okText || 'Save') + '" class="AknButton AknButtonList-item ' + (opts.okClass || 'AknButton--apply') + ' ok">' +
      esc(opts.okText || 'Save') + '</div>' +
      '</div></div></div></div>' +
      '<div class="AknFullPage-cancel cancel"></div></div>');
    document.body.appendChild(el);
    all('.cancel', el).forEach(function (c) {
      c.addEventListener('click', function () { if (el.parentNode) { el.parentNode.removeChild(el); } });
    });
    return el;
  }

  function confirmDialog(title, content, okText, onOk) {
    var el = fullPageModal({
      picture: '/bundles/pimui/common/api.svg', subTitle: 'Confirm', title: title, description: content,
      body: '', bodyClass: 'confirm', okText: okText, okClass: 'AknButton--important'
    });
    one('.ok', el).addEventListener('click', function () { el.parentNode.removeChild(el); onOk(); });
  }

  // Row action "Delete" of the Oro datagrid (`type: delete`, launcher
  // `AknIconButton AknIconButton--small AknIconButton--trash`, label `pim_common.delete`), as in
  // pim-user-grid / pim-role-grid (akeneo/pim-community-dev 3.x datagrid/user.yml, role.yml).
  // The confirmation and flash texts are Oro delete-action defaults [I].
  function deleteRowAction(row) {
    return '<td class="AknGrid-bodyCell AknGrid-bodyCell--actions action-cell"><div class="AknButtonList AknButtonList--right">' +
      '<a href="' + esc(row.delete_link) + '" class="AknIconButton AknIconButton--small AknIconButton--trash AknButtonList-item action" title="Delete"></a></div></td>';
  }
  function bindDeleteActions(g) {
    all('a[title="Delete"]', g.el).forEach(function (a) {
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        ev.stopPropagation();
        confirmDialog('Delete Confirmation', 'Are you sure you want to delete this ' + g.opts.entityHint + '?', 'Yes, Delete', function () {
          var mask = one('.AknGridContainer > .loading-mask', g.el);
          if (mask) { mask.style.display = 'block'; }
          request('DELETE', a.getAttribute('href')).then(function (r) {
            if (r.status === 204) { notify('success', 'Item deleted'); }
            else { notify('error', (r.json && r.json.message) || 'Error while deleting the item'); }
            g.load(1);
          });
        });
      });
    });
  }

  // ------------------------------------------------------------------ page chrome
  var COLUMN = [
    ['System navigation', [['pim-menu-system-api-connection', '#/client', 'API connections', /^\/client/]]],
    ['Users management navigation', [
      ['pim-menu-system-user-user', '#/user/', 'Users', /^\/user\/(\d+\/edit)?$/],
      ['pim-menu-system-user-group', '#/user/group/', 'User groups', /^\/user\/group/],
      ['pim-menu-system-user-role', '#/user/role/', 'Roles', /^\/user\/role/]
    ]]
  ];
  function column(path) {
    // 6.x+ (v4/shell.js): the sub-navigation lives in the React main menu, no column.
    if (window.PimSim && window.PimSim.columnOverride) { return window.PimSim.columnOverride(path); }
    var out = '<div class="AknColumn" data-drop-zone="column"><div class="AknColumn-inner"><div class="AknColumn-title">System</div>';
    COLUMN.forEach(function (block) {
      out += '<div class="AknColumn-block"><div class="AknColumn-subtitle">' + esc(block[0].replace(' navigation', '')) + '</div>';
      block[1].forEach(function (item) {
        var on = item[3].test(path);
        out += '<a href="' + item[1] + '" data-code="' + item[0] + '" class="AknColumn-navigationLink' +
          (on ? ' AknColumn-navigationLink--active' : '') + ' navigation-item">' + esc(item[2]) + '</a>';
      });
      out += '</div>';
    });
    return out + '</div></div>';
  }
  /** Where the "System" breadcrumb leads (4.x+ scripts set `PimSim.systemHome`). */
  function systemHome() { return (window.PimSim && window.PimSim.systemHome) || '#/client'; }
  function breadcrumbs(items) {
    return '<div class="AknBreadcrumb">' + items.map(function (it, i) {
      return '<a class="AknBreadcrumb-item AknBreadcrumb-item--routable' + (i === items.length - 1 ? ' AknBreadcrumb-item--final' : '') +
        '" href="' + it[1] + '">' + esc(it[0]) + '</a>';
    }).join('') + '</div>';
  }
  /** The header's user menu: avatar, announcements (megaphone), notifications (bell, red dot). */
  function userMenu() {
    return '<div class="AknTitleContainer-userMenu">' +
      '<img class="AknTitleContainer-avatar" src="/bundles/pimui/common/avatar.svg" alt=""/>' +
      '<span class="AknNotificationMenu-button AknNotificationMenu-button--announcements" title="Announcements"></span>' +
      '<span class="AknNotificationMenu AknNotificationMenu-button AknNotificationMenu-button--notifications" title="Notifications">' +
      '<span class="AknNotificationMenu-count"></span></span></div>';
  }
  /** The default-template of index pages. */
  function indexPage(opts) {
    return '<div class="AknDefault-contentWithColumn">' + column(opts.path) +
      '<div class="AknDefault-contentWithBottom"><div class="AknDefault-mainContent entity-edit-form edit-form">' +
      '<header class="AknTitleContainer navigation"><div class="AknTitleContainer-line"><div class="AknTitleContainer-mainContainer">' +
      '<div class="AknTitleContainer-line"><div class="AknTitleContainer-breadcrumbs" data-drop-zone="breadcrumbs">' + breadcrumbs(opts.crumbs) + '</div>' +
      '<div class="AknTitleContainer-buttonsContainer"><div class="AknTitleContainer-userMenuContainer user-menu" data-drop-zone="user-menu">' +
      userMenu() + '</div>' +
      '<div class="AknButtonList" data-drop-zone="buttons">' + (opts.buttons || '') + '</div></div></div>' +
      '<div class="AknTitleContainer-line"><div class="AknTitleContainer-title" data-drop-zone="title">' + esc(opts.title) + '</div></div>' +
      '</div></div></header>' +
      '<div class="content" data-drop-zone="content">' + (opts.content || '') + '</div>' +
      '</div></div></div>';
  }
  function setHeaderTab(system) {
    all('.AknHeader-menuItemContainer').forEach(function (c) {
      var link = one('.AknHeader-menuItem', c);
      // `system`: true (System), false (Activity) or a tab code (4.x+: 'pim-menu-connect').
      var tab = system === true ? 'pim-menu-system' : (system || 'activity');
      var on = c.getAttribute('data-tab') === tab;
      link.classList.toggle('AknHeader-menuItem--active', on);
    });
  }

  // ------------------------------------------------------------------ datagrid
  /**
   * A datagrid: `opts.name`, `opts.columns` [{name,label,type}], `opts.params()` extra query,
   * `opts.cell(row, col)` optional renderer (returns td HTML or null), `opts.rowClick(row, tr, ev)`,
   * `opts.entityHint` for the no-data title, `opts.onLoad(total)`.
   */
  function Grid(container, opts) {
    this.el = container;
    this.opts = opts;
    this.page = 1;
    this.perPage = 25;
    this.rows = [];
    this.total = 0;
  }
  Grid.prototype.url = function (page) {
    var n = this.opts.name, p = {};
    p[n + '[_pager][_page]'] = page;
    p[n + '[_pager][_per_page]'] = this.perPage;
    if (this.opts.sort) { p[n + '[_sort_by][' + this.opts.sort[0] + ']'] = this.opts.sort[1]; }
    var extra = this.opts.params ? this.opts.params() : {};
    Object.keys(extra).forEach(function (k) { p[n + '[' + k + ']'] = extra[k]; });
    return '/datagrid/' + n + '?' + Object.keys(p).map(function (k) {
      return encodeURIComponent(k) + '=' + encodeURIComponent(p[k]);
    }).join('&');
  };
  Grid.prototype.setData = function (data, page) {
    this.rows = data.data || [];
    this.total = (data.options && data.options.totalRecords) || 0;
    this.page = page;
  };
  Grid.prototype.load = function (page) {
    var self = this;
    var mask = one('.AknGridContainer > .loading-mask', self.el);
    if (mask) { mask.style.display = 'block'; }
    return request('GET', self.url(page)).then(function (r) {
      if (r.status === 403) { forbiddenPage(); return self; }
      if (r.status === 200 && r.json) { self.setData(r.json, page); }
      else { notify('error', 'Error while loading the grid'); }
      self.render();
      if (FAULTS.maskLingerMs) {
        var m = one('.AknGridContainer > .loading-mask', self.el);
        if (m) {
          m.style.display = 'block';
          setTimeout(function () { m.style.display = 'none'; }, FAULTS.maskLingerMs);
        }
      }
      if (!self.rerendered) { self.rerendered = true; rerenderOnce(function () { self.render(); }); }
      if (self.opts.onLoad) { self.opts.onLoad(self.total); }
      return self;
    });
  };
  /**
   * The first load of an index grid (`pim/form/common/grid` renderGrid):
   * `GET /datagrid/{grid}/load?alias=..&params[..]=..&{grid}[..]=..` → `{"metadata":..,"data":"<JSON string>"}`.
   * Later pages, sorts and refreshes go through `GET /datagrid/{grid}?..` ([`load`]).
   */
  Grid.prototype.loadFirst = function () {
    var self = this, n = self.opts.name;
    var q = ['alias=' + encodeURIComponent(n), encodeURIComponent('params[localeCode]') + '=en_US',
      encodeURIComponent(n + '[localeCode]') + '=en_US'];
    var first = self.url(1);
    q.push(first.slice(first.indexOf('?') + 1));
    return request('GET', '/datagrid/' + n + '/load?' + q.join('&')).then(function (r) {
      if (r.status === 403) { forbiddenPage(); return self; }
      var data = null;
      try { data = r.json && JSON.parse(r.json.data); } catch (e) { data = null; }
      if (r.status === 200 && data) { self.setData(data, 1); }
      else { notify('error', 'Error while loading the grid'); }
      self.render();
      if (self.opts.onLoad) { self.opts.onLoad(self.total); }
      return self;
    });
  };
  Grid.prototype.pages = function () { return Math.max(1, Math.ceil(this.total / this.perPage)); };
  Grid.prototype.pagerHtml = function () {
    var pages = this.pages(), cur = this.page, list = [], last = 0, out = '';
    if (pages <= 1) { return ''; }
    for (var i = 1; i <= pages; i++) {
      if (i === 1 || i === pages || Math.abs(i - cur) <= 1) { list.push(i); }
    }
    list.forEach(function (p) {
      if (p - last > 1) { out += '<a class="AknActionButton AknGridToolbar-actionButton AknActionButton--unclickable" href="#" title="..."><span>...</span></a>'; }
      out += '<a class="AknActionButton AknGridToolbar-actionButton' + (p === cur ? ' active AknActionButton--highlight' : '') +
        '" href="#" title="No. ' + p + '" data-page="' + p + '"><span>' + p + '</span></a>';
      last = p;
    });
    return out;
  };
  Grid.prototype.render = function () {
    var self = this, o = self.opts;
    var head = '<tr class="AknGrid-bodyRow AknGrid-bodyRow--header">' + o.columns.map(function (c) {
      return '<th class="AknGrid-headerCell ' + esc(c.name) + '-column grid-header-cell-' + esc(c.name) + '"><span class="AknGrid-headerCellInner">' + esc(c.label) + '</span></th>';
    }).join('') + (o.actions ? '<th class="AknGrid-headerCell action-column"></th>' : '') + '</tr>';
    var body = self.rows.map(function (row) {
      return '<tr class="AknGrid-bodyRow row-click-action" data-id="' + esc(row.id) + '">' + o.columns.map(function (c) {
        var custom = o.cell ? o.cell(row, c) : null;
        return custom != null ? custom : '<td class="AknGrid-bodyCell string-cell">' + esc(row[c.name]) + '</td>';
      }).join('') + (o.actions ? o.actions(row) : '') + '</tr>';
    }).join('');
    var noData = self.rows.length ? '' :
      '<div class="AknGridContainer-noData no-data-inner"><div class="AknGridContainer-noDataImage"></div>' +
      '<div class="AknGridContainer-noDataTitle">' + esc((window.PimSim && window.PimSim.noDataTitle) || ('No ' + o.entityHint + ' found')) + '</div>' +
      '<div class="AknGridContainer-noDataSubtitle">Try again with new search criteria.</div></div>';
    self.el.innerHTML =
      // An empty grid shows its no-data block only (the toolbar stays hidden, as in the product).
      '<div class="AknGridToolbar" data-drop-zone="toolbar"' + (self.total ? '' : ' style="display: none"') + '><div class="AknGridToolbar-left"><span class="AknGridToolbar-count">' +
      self.total + ' result' + (self.total === 1 ? '' : 's') + '</span></div>' +
      '<div class="AknGridToolbar-center">' + self.pagerHtml() + '</div><div class="AknGridToolbar-right"></div></div>' +
      '<div class="AknGridContainer grid-container">' +
      (self.rows.length ? '<table class="AknGrid grid table-hover table table-bordered table-condensed"><thead>' + head +
        '</thead><tbody class="AknGrid-body">' + body + '</tbody></table>' : '') +
      noData + '<div class="AknLoadingMask loading-mask" style="display: none"></div></div>';
    // Every handle has `href="#"` (the "..." gaps too): the click never reaches the router.
    all('.AknGridToolbar-center a', self.el).forEach(function (a) {
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        if (!a.hasAttribute('data-page')) { return; }
        var p = parseInt(a.getAttribute('data-page'), 10);
        if (p !== self.page) { self.load(p); }
      });
    });
    all('tbody tr', self.el).forEach(function (tr, i) {
      tr.addEventListener('click', function (ev) { if (o.rowClick) { o.rowClick(self.rows[i], tr, ev); } });
    });
    if (o.afterRender) { o.afterRender(self); }
  };

  // ------------------------------------------------------------------ routes
  var seq = 0;
  function view() { return one('#container > .view'); }
  /** Replaces the view (old element handles go stale, as with Backbone re-renders). */
  function mount(markup) {
    var fresh = document.createElement('div');
    fresh.className = 'view';
    fresh.innerHTML = markup;
    var old = view();
    old.parentNode.replaceChild(fresh, old);
    return fresh;
  }

  function dashboard() {
    document.title = 'Dashboard';
    setHeaderTab(false);
    return Promise.resolve(function () {
      mount('<div class="AknDefault-mainContent"><header class="AknTitleContainer navigation"><div class="AknTitleContainer-line"><div class="AknTitleContainer-mainContainer">' +
        '<div class="AknTitleContainer-line"><div class="AknTitleContainer-breadcrumbs">' + breadcrumbs([['Activity', '#'], ['Dashboard', '#']]) + '</div></div>' +
        '<div class="AknTitleContainer-line"><div class="AknTitleContainer-title">Dashboard</div></div></div></div></header>' +
        '<div class="AknDashboard">' +
        '<div class="AknWidget" id="last-operations-widget"><div class="AknWidget-header">Last operations</div><div class="AknWidget-body">No operation found</div></div>' +
        '<div class="AknWidget" id="completeness-widget"><div class="AknWidget-header">Completeness over channels</div><div class="AknWidget-body">No channel to show</div></div>' +
        '</div></div>');
    });
  }

  function usersIndex(path) {
    document.title = 'Users';
    var grid;
    return Promise.resolve(function () {
      var v = mount(indexPage({
        path: path, crumbs: [['System', systemHome()], ['Users', '#/user/']], title: 'Users',
        buttons: '<a id="create-button-extension" class="AknButton AknButton--apply AknButtonList-item" data-form-url="">Create user</a>',
        content: '<div id="grid-pim-user-grid" data-type="datagrid"></div>'
      }));
      grid = new Grid(one('#grid-pim-user-grid', v), {
        name: 'pim-user-grid', entityHint: 'user',
        columns: [{ name: 'username', label: 'Username' }, { name: 'firstName', label: 'First name' },
          { name: 'lastName', label: 'Last name' }, { name: 'email', label: 'Email' }, { name: 'roles', label: 'Roles' }],
        rowClick: function (row) { location.hash = '#/user/' + row.id + '/edit'; },
        actions: deleteRowAction, afterRender: bindDeleteActions,
        onLoad: function (total) { one('.AknTitleContainer-title', v).textContent = total + ' user' + (total === 1 ? '' : 's'); }
      });
      one('#create-button-extension', v).addEventListener('click', openUserModal);
      return grid.loadFirst();
    });
  }

  var USER_FIELDS = [
    ['username', 'Username', 'text'], ['password', 'Password', 'password'], ['password_repeat', 'Password (repeat)', 'password'],
    ['first_name', 'First name', 'text'], ['last_name', 'Last name', 'text'], ['email', 'Email', 'text']
  ];
  function openUserModal() {
    var model = {};
    var el = fullPageModal({ picture: '/bundles/pimui/common/user.svg', subTitle: 'Users', title: 'Create' });
    function renderFields(errors) {
      errors = errors || {};
      var body = '<div class="AknFormContainer AknFormContainer--withPadding"><div data-drop-zone="fields" class="AknFormContainer">' +
        USER_FIELDS.map(function (f) {
          var id = randomId();
          // Password inputs are always re-rendered empty (password.ts), the model keeps the value.
          var value = f[2] === 'password' ? '' : (model[f[0]] || '');
          return '<div class="AknFieldContainer" data-code="' + f[0] + '">' +
            '<div class="AknFieldContainer-header"><label class="AknFieldContainer-label control-label" for="' + id + '">' + esc(f[1]) + ' <em>(required)</em></label></div>' +
            '<div class="AknFieldContainer-inputContainer"><input id="' + id + '" class="AknTextField" type="' + f[2] + '" name="' + f[0] + '" value="' + esc(value) + '"></div>' +
            '<div class="AknFieldContainer-footer">' + (errors[f[0]] ? '<span class="AknFieldContainer-validationError"><span class="error-message">' + esc(errors[f[0]]) + '</span></span>' : '') + '</div>' +
            '</div>';
        }).join('') + '</div></div>';
      one('.modal-body', el).innerHTML = body;
      all('.modal-body input', el).forEach(function (input) {
        input.addEventListener('keyup', function () { model[input.name] = input.value; });
      });
    }
    renderFields();
    rerenderOnce(function () { if (one('.modal-body input', el)) { renderFields(); } });
    one('.ok', el).addEventListener('click', function () {
      one('.modal-body', el).innerHTML = maskHtml();
      request('POST', '/rest/user/', JSON.stringify(model), 'application/json').then(function (r) {
        if (r.status === 200 && r.json && r.json.meta) {
          if (el.parentNode) { el.parentNode.removeChild(el); }
          notify('success', 'User successfully created.');
          location.hash = '#/user/' + r.json.meta.id + '/edit';
          return;
        }
        var errors = {};
        ((r.json && r.json.values) || []).forEach(function (v) { if (!errors[v.path]) { errors[v.path] = v.message; } });
        if (!Object.keys(errors).length) { notify('error', 'An error occurred while saving the user.'); }
        renderFields(errors);
      });
    });
  }

  // User edit form (3.x `pim-user-edit-form`, form_extensions/edit.yml): tabs General,
  // Additional, Groups and roles, Password (current_password, new_password,
  // new_password_repeat: pim/form/common/fields/password), Interfaces; Save posts the whole
  // model to POST /rest/user/{id}; 400 = a bare array of violations shown under the fields.
  var PASSWORD_FIELDS = [['current_password', 'Current password'], ['new_password', 'New password'],
    ['new_password_repeat', 'New password (repeat)']];
  // pim/controller/user: `GET /rest/user/{id}` → form build, whose fields' configure() fetch
  // their choices in parallel (roles, groups, channels, locales, trees) → render.
  var USER_FORM_LISTS = ['/rest/user_role/', '/rest/user_group/', '/configuration/channel/rest',
    '/configuration/locale/rest?activated=true', '/enrich/product-category-tree/list-tree.json'];
  function userEdit(path, id) {
    document.title = 'User';
    return request('GET', '/rest/user/' + id).then(function (r) {
      if (r.status !== 200) { return r; }
      return Promise.all(USER_FORM_LISTS.map(function (u) { return request('GET', u); })).then(function () { return r; });
    }).then(function (r) {
      return function () {
        if (r.status !== 200 || !r.json) { return notFound(path)(); }
        var u = r.json;
        var pw = {};
        var tab = 'pim-user-edit-form-general-tab';
        var tabs = [['pim-user-edit-form-general-tab', 'General'], ['pim-user-edit-form-additional-tab', 'Additional'],
          ['pim-user-edit-form-groups-and-roles-tab', 'Groups and roles'], ['pim-user-edit-form-password-tab', 'Password'],
          ['pim-user-edit-form-interfaces-tab', 'Interfaces']];
        var props = [['Username', u.username], ['First name', u.first_name], ['Last name', u.last_name], ['Email', u.email],
          ['Status', u.enabled ? 'Enabled' : 'Disabled'], ['Roles', (u.roles || []).join(', ')], ['Groups', (u.groups || []).join(', ')]];
        document.title = u.first_name + ' ' + u.last_name;
        var v = mount(indexPage({
          path: path, crumbs: [['System', systemHome()], ['Users', '#/user/']], title: u.first_name + ' ' + u.last_name,
          buttons: '<div class="AknButton AknButton--apply AknButtonList-item save" title="Save">Save</div>',
          content: '<div id="form-navbar" class="AknHorizontalNavtab"><ul class="AknHorizontalNavtab-list nav nav-tabs">' +
            tabs.map(function (t) {
              return '<li class="AknHorizontalNavtab-item tab" data-tab="' + t[0] + '"><a class="AknHorizontalNavtab-link" href="javascript:void(0);">' + esc(t[1]) + '</a></li>';
            }).join('') + '</ul></div><div class="tab-content AknTabContainer-content"></div>'
        }));
        function render(errors) {
          errors = errors || {};
          all('#form-navbar .AknHorizontalNavtab-item', v).forEach(function (li) {
            var on = li.getAttribute('data-tab') === tab;
            li.classList.toggle('AknHorizontalNavtab-item--active', on);
            li.classList.toggle('active', on);
          });
          var box = one('.tab-content', v);
          if (tab === 'pim-user-edit-form-password-tab') {
            box.innerHTML = '<div class="tabsection"><div class="tabsection-content AknFormContainer">' + PASSWORD_FIELDS.map(function (f) {
              var fid = randomId();
              // Password inputs are always rendered empty (password.ts); the model keeps the value.
              return '<div class="AknFieldContainer" data-code="' + f[0] + '">' +
                '<div class="AknFieldContainer-header"><label class="AknFieldContainer-label control-label" for="' + fid + '">' + esc(f[1]) + '</label></div>' +
                '<div class="AknFieldContainer-inputContainer"><input id="' + fid + '" class="AknTextField" type="password" name="' + f[0] + '" value=""></div>' +
                '<div class="AknFieldContainer-footer">' + (errors[f[0]] ? '<span class="AknFieldContainer-validationError"><span class="error-message">' + esc(errors[f[0]]) + '</span></span>' : '') + '</div>' +
                '</div>';
            }).join('') + '</div></div>';
            all('input', box).forEach(function (input) {
              input.addEventListener('keyup', function () { pw[input.name] = input.value; });
            });
          } else {
            box.innerHTML = '<dl class="AknUserProperties" data-user-id="' + esc(u.meta.id) + '">' + props.map(function (p) {
              return '<dt>' + esc(p[0]) + '</dt><dd>' + esc(p[1]) + '</dd>';
            }).join('') + '</dl>';
          }
        }
        all('#form-navbar .AknHorizontalNavtab-item', v).forEach(function (li) {
          li.addEventListener('click', function () { tab = li.getAttribute('data-tab'); render(); });
        });
        render();
        rerenderOnce(function () { render(); });
        one('.save', v).addEventListener('click', function () {
          var body = {};
          Object.keys(u).forEach(function (k) { if (k !== 'meta') { body[k] = u[k]; } });
          PASSWORD_FIELDS.forEach(function (f) { body[f[0]] = pw[f[0]] || ''; });
          hashMask(true);
          request('POST', '/rest/user/' + id, JSON.stringify(body), 'application/json').then(function (res) {
            hashMask(false);
            pw = {};
            if (res.status === 200 && res.json) {
              notify('success', 'User successfully updated.');
              render();
              return;
            }
            var errors = {};
            (Array.isArray(res.json) ? res.json : []).forEach(function (e) { if (!errors[e.path]) { errors[e.path] = e.message; } });
            notify('error', 'An error occurred while updating the user.');
            render(errors);
          });
        });
      };
    });
  }

  function groupsIndex(path) {
    document.title = 'User groups';
    return Promise.resolve(function () {
      mount(indexPage({
        path: path, crumbs: [['System', systemHome()], ['User groups', '#/user/group/']], title: '1 group',
        content: '<div class="AknGridContainer grid-container"><table class="AknGrid grid"><thead><tr class="AknGrid-bodyRow">' +
          '<th class="AknGrid-headerCell">Label</th></tr></thead><tbody class="AknGrid-body"><tr class="AknGrid-bodyRow">' +
          '<td class="AknGrid-bodyCell">All</td></tr></tbody></table></div>'
      }));
    });
  }

  function rolesIndex(path) {
    document.title = 'Roles';
    return Promise.resolve(function () {
      var v = mount(indexPage({
        path: path, crumbs: [['System', systemHome()], ['Roles', '#/user/role/']], title: 'Roles',
        buttons: '<button class="AknButton AknButton--apply">Create role</button>',
        content: '<div id="grid-pim-role-grid" data-type="datagrid"></div>'
      }));
      one('[data-drop-zone="buttons"] .AknButton--apply', v).addEventListener('click', function () { location.hash = '#/user/role/create'; });
      var grid = new Grid(one('#grid-pim-role-grid', v), {
        name: 'pim-role-grid', entityHint: 'role', columns: [{ name: 'label', label: 'Label' }],
        rowClick: function (row) { location.hash = '#/user/role/update/' + row.id; },
        actions: deleteRowAction, afterRender: bindDeleteActions,
        onLoad: function (total) { one('.AknTitleContainer-title', v).textContent = total + ' role' + (total === 1 ? '' : 's'); }
      });
      return grid.loadFirst();
    });
  }

  // ---- role form (Twig fragment injected by pim/controller/form and pim/controller/role)
  // Create (pim/controller/form): `GET /user/role/create` → inject. Update (pim/controller/role):
  // `GET /rest/security/` → `GET /user/role/update/{id}` → inject. Either way the fragment's
  // inline script then asks `GET /rest/security/` again (not awaited by the route).
  function roleForm(path, url) {
    document.title = 'Role';
    var update = /\/update\//.test(url);
    var before = update ? request('GET', '/rest/security/') : Promise.resolve(null);
    return before.then(function () { return request('GET', url); }).then(function (r) {
      return function () {
        if (r.status === 403) { return forbiddenPage(); }
        if (r.status !== 200) { return notFound(path)(); }
        var v = mount('<div class="AknDefault-contentWithColumn">' + column(path) +
          '<div class="AknDefault-contentWithBottom"><div class="AknDefault-mainContent"></div></div></div>');
        var main = one('.AknDefault-mainContent', v);
        injectRoleForm(main, r.text);
        request('GET', '/rest/security/');
        // `rerender`: the form is rendered again from its current state (a Backbone view
        // re-rendering from its model): same values, tabs and toggles, new elements.
        rerenderOnce(function () {
          if (!main.isConnected) { return; }
          all('input, textarea', main).forEach(function (i) {
            if (i.type === 'checkbox' || i.type === 'radio') {
              if (i.checked) { i.setAttribute('checked', 'checked'); } else { i.removeAttribute('checked'); }
            } else {
              i.setAttribute('value', i.value);
            }
          });
          injectRoleForm(main, main.innerHTML);
        });
      };
    });
  }

  function injectRoleForm(target, fragment) {
    target.innerHTML = fragment;
    var form = one('#pim_user_role_form, #oro_user_role_form', target);
    if (!form) { return; }
    var title = one('.AknTitleContainer-title', target);
    if (title) { document.title = title.textContent; }
    function markUpdated() {
      var st = one('#entity-updated', target);
      if (st) { st.classList.add('updated-status--visible'); }
    }
    form.addEventListener('input', markUpdated);

    // Bootstrap tabs: horizontal (panes of .oro-tab-form) and vertical (ACL groups).
    all('a[data-toggle="tab"]', form).forEach(function (a) {
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        var li = a.parentNode;
        all(':scope > li', li.parentNode).forEach(function (x) {
          x.classList.remove('active', 'AknHorizontalNavtab-item--active');
        });
        li.classList.add('active');
        if (li.classList.contains('AknHorizontalNavtab-item')) { li.classList.add('AknHorizontalNavtab-item--active'); }
        var pane = one(a.getAttribute('href'), form);
        if (pane) {
          all(':scope > .tab-pane', pane.parentNode).forEach(function (p) { p.classList.remove('active'); });
          pane.classList.add('active');
        }
      });
    });

    // ACL toggles (2.x/3.x select-buttons).
    function setToggle(toggle, on) {
      toggle.classList.toggle('AknSelectButton--selected', on);
      toggle.classList.toggle('granted', on);
      toggle.classList.toggle('non-granted', !on);
      var box = one('input[type=checkbox]', toggle.parentNode);
      if (box) { box.checked = on; box.dispatchEvent(new Event('change', { bubbles: true })); }
    }
    function decorateGroups() {
      all('.AknVerticalNavtab a[data-toggle="tab"]', form).forEach(function (a) {
        var pane = one(a.getAttribute('href'), form);
        var toggles = pane ? all('.acl-permission-toggle', pane) : [];
        var on = toggles.filter(function (t) { return t.classList.contains('granted'); }).length;
        var btn = one('.select-button', a);
        btn.className = 'select-button AknAcl-icon AknSelectButton ' + (toggles.length && on === toggles.length ?
          'AknSelectButton--selected granted' : (on ? 'AknSelectButton--partial partial' : 'non-granted'));
      });
    }
    all('.acl-permission .acl-permission-toggle', form).forEach(function (t) {
      t.addEventListener('click', function () {
        setToggle(t, !t.classList.contains('granted'));
        decorateGroups();
        markUpdated();
      });
    });
    all('.AknVerticalNavtab a[data-toggle="tab"] .select-button', form).forEach(function (btn) {
      btn.addEventListener('click', function () {
        // The link's own handler opens the pane (the button is inside it).
        var pane = one(btn.closest('a').getAttribute('href'), form);
        var grant = !btn.classList.contains('granted');
        all('.acl-permission-toggle', pane).forEach(function (t) { setToggle(t, grant); });
        decorateGroups();
        markUpdated();
      });
    });

    // Users tab: pim-role-user-grid + oro/datagrid/column-form-listener.
    var gridEl = one('#grid-pim-role-user-grid', form);
    var appendInput = one('#roleAppendUsers', form);
    var removeInput = one('#roleRemoveUsers', form);
    if (gridEl) {
      var ids = function (s) { return s ? s.split(',').filter(Boolean) : []; };
      var included = ids(appendInput.value), excluded = ids(removeInput.value);
      var roleMatch = /\/user\/role\/update\/(\d+)$/.exec(form.getAttribute('action'));
      var roleId = roleMatch ? roleMatch[1] : '';
      var checked = function (row) {
        var id = String(row.id);
        return included.indexOf(id) >= 0 || (row.has_role && excluded.indexOf(id) < 0);
      };
      var sync = function () {
        appendInput.value = included.join(',');
        removeInput.value = excluded.join(',');
        appendInput.dispatchEvent(new Event('change', { bubbles: true }));
        removeInput.dispatchEvent(new Event('change', { bubbles: true }));
      };
      var setRow = function (row, on) {
        var id = String(row.id);
        included = included.filter(function (x) { return x !== id; });
        excluded = excluded.filter(function (x) { return x !== id; });
        if (on && !row.has_role) { included.push(id); }
        if (!on && row.has_role) { excluded.push(id); }
        sync();
        markUpdated();
      };
      var grid = new Grid(gridEl, {
        name: 'pim-role-user-grid', entityHint: 'user', sort: ['has_role', 'DESC'],
        params: function () { return { role_id: roleId }; },
        columns: [{ name: 'has_role', label: 'Has role' }, { name: 'username', label: 'Username' }, { name: 'email', label: 'Email' },
          { name: 'firstName', label: 'First name' }, { name: 'lastName', label: 'Last name' }],
        cell: function (row, c) {
          if (c.name === 'username') { return '<td class="AknGrid-bodyCell AknGrid-bodyCell--highlight string-cell">' + esc(row.username) + '</td>'; }
          if (c.name !== 'has_role') { return null; }
          var on = checked(row);
          return '<td class="AknGrid-bodyCell AknGrid-bodyCell--tight AknGrid-bodyCell--checkbox boolean-cell' +
            (on ? ' AknGrid-bodyCell--checked' : '') + '"><input type="checkbox" tabindex="-1"' + (on ? ' checked' : '') + '></td>';
        },
        rowClick: function (row, tr, ev) {
          var box = one('td.boolean-cell input[type=checkbox]', tr);
          if (ev.target !== box) { box.checked = !box.checked; }
          box.parentNode.classList.toggle('AknGrid-bodyCell--checked', box.checked);
          setRow(row, box.checked);
        }
      });
      try {
        grid.setData(JSON.parse(gridEl.getAttribute('data-data') || '{}'), 1);
      } catch (e) { grid.setData({}, 1); }
      grid.render();
    }

    // Save: pim/controller/form ajaxSubmit.
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      hashMask(true);
      var body = new URLSearchParams(new FormData(form)).toString();
      var action = form.getAttribute('action');
      request('POST', action, body, 'application/x-www-form-urlencoded; charset=UTF-8').then(function (r) {
        if (r.json && /^(pim|oro)_user_role_update$/.test(r.json.route)) {
          var updateRoute = '#/user/role/update/' + r.json.params.id;
          if (location.hash === updateRoute) {
            // pim/controller/role.afterSubmit: security context refreshed, extensions cache
            // cleared, then a full reload (app boot again) after a successful update.
            request('GET', '/rest/security/');
            location.reload();
          } else {
            location.hash = updateRoute;
          }
          return;
        }
        if (r.status === 200) {
          injectRoleForm(target, r.text);
        } else {
          notify('error', 'An error occurred while saving the role.');
        }
        hashMask(false);
      });
    });
  }

  // ---- API connections
  function clientsIndex(path) {
    document.title = 'API connections';
    return Promise.resolve(function () {
      var v = mount(indexPage({
        path: path, crumbs: [['System', '#/client'], ['API connections', '#/client']], title: '',
        buttons: '<a id="create-button-extension" class="AknButton AknButton--apply AknButtonList-item" data-form-url="">Create</a>',
        content: '<div class="AknFilterBox AknFilterBox--search filter-box" data-drop-zone="filters">' +
          '<input type="text" class="AknFilterBox-search search-filter" name="label" placeholder="Search on Label" autocomplete="off"></div>' +
          '<div id="grid-api-connection-grid" data-type="datagrid"></div>'
      }));
      var search = one('.AknFilterBox-search', v);
      var grid = new Grid(one('#grid-api-connection-grid', v), {
        name: 'api-connection-grid', entityHint: 'api connection',
        params: function () { return search.value ? { '_filter][label][value': search.value } : {}; },
        columns: [{ name: 'label', label: 'Label' }, { name: 'credentials', label: 'Credentials' }],
        cell: function (row, c) {
          if (c.name === 'label') { return '<td class="AknGrid-bodyCell AknGrid-bodyCell--highlight string-cell">' + esc(row.label) + '</td>'; }
          var parts = String(row.credentials || '').split('|');
          return '<td class="AknGrid-bodyCell AknGrid-bodyCell--credentials">' +
            '<div><span class="AknGrid-label">Client ID:</span> ' + esc(parts[0]) + '</div>' +
            '<div><span class="AknGrid-label">Secret:</span> ' + esc(parts[1]) + '</div></td>';
        },
        actions: function (row) {
          return '<td class="AknGrid-bodyCell AknGrid-bodyCell--actions action-cell"><div class="AknButtonList AknButtonList--right">' +
            '<a href="' + esc(row.delete_link) + '" class="AknButton AknButton--important AknButtonList-item action" title="Revoke">Revoke</a></div></td>';
        },
        afterRender: function (g) {
          all('a[title="Revoke"]', g.el).forEach(function (a) {
            a.addEventListener('click', function (ev) {
              ev.preventDefault();
              ev.stopPropagation();
              confirmDialog('Confirm revocation', 'Are you sure you want to revoke this API connection?', 'OK', function () {
                var mask = one('.AknGridContainer > .loading-mask', g.el);
                if (mask) { mask.style.display = 'block'; }
                request('DELETE', a.getAttribute('href')).then(function (r) {
                  if (r.status === 204) { notify('success', 'API connection successfully revoked'); }
                  else { notify('error', (r.json && r.json.message) || 'An error occurred while revoking the API connection.'); }
                  g.load(1);
                });
              });
            });
          });
        },
        onLoad: function (total) {
          one('.AknTitleContainer-title', v).textContent = total + ' API connection' + (total === 1 || total === 0 ? '' : 's');
        }
      });
      var timer = null;
      search.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () { grid.load(1); }, 300);
      });
      one('#create-button-extension', v).addEventListener('click', function () { openClientModal(grid); });
      return grid.loadFirst();
    });
  }

  function openClientModal(grid) {
    var model = {};
    var el = fullPageModal({ picture: '/bundles/pimui/common/api.svg', subTitle: 'API connections', title: 'Create' });
    function renderFields(error) {
      one('.modal-body', el).innerHTML =
        '<div class="AknFieldContainer" data-code="label">' +
        '<div class="AknFieldContainer-header"><label title="Label" class="AknFieldContainer-label control-label required truncate" for="creation_label">Label <em>(required)</em></label></div>' +
        '<div class="AknFieldContainer-inputContainer field-input"><input type="text" class="AknTextField" value="' + esc(model.label || '') + '" id="creation_label" name="label"/></div>' +
        '<div class="AknFieldContainer-footer AknFieldContainer-validationErrors validation-errors">' +
        (error ? '<span class="AknFieldContainer-validationError">' + ((window.PimSim && window.PimSim.errorIcon) || '') + '<span class="error-message">' + esc(error) + '</span></span>' : '') +
        '</div></div>';
      // The model follows the input on `change` only (blur), not on keyup.
      one('#creation_label', el).addEventListener('change', function (ev) { model.label = ev.target.value; });
    }
    renderFields(null);
    one('.ok', el).addEventListener('click', function () {
      one('.modal-body', el).innerHTML = maskHtml();
      request('POST', '/client/rest', JSON.stringify(model), 'application/json').then(function (r) {
        if (r.status === 200) {
          if (el.parentNode) { el.parentNode.removeChild(el); }
          notify('success', 'API connection successfully created');
          grid.load(1);
          return;
        }
        var msg = (r.json && r.json.values && r.json.values[0] && r.json.values[0].message) || 'An error occurred.';
        renderFields(msg);
      });
    });
  }

  /** The error page of a 403 (pim_enrich.error.http.403). */
  function forbiddenPage() {
    document.title = 'Forbidden';
    mount('<div class="AknDefault-mainContent"><div class="AknInfoBlock error-page">' +
      '<div class="AknInfoBlock-title AknTitleContainer-title">Error 403</div>' +
      '<div class="AknMessageBox AknMessageBox--error">You are not allowed to access this page.</div></div></div>');
  }

  function notFound(path) {
    return function () {
      document.title = 'Page not found';
      mount('<div class="AknDefault-mainContent"><div class="AknTitleContainer-title">Page not found</div>' +
        '<p>The page ' + esc(path) + ' does not exist.</p></div>');
    };
  }

  var ROUTES = [
    [/^\/?$/, function () { return dashboard(); }, false],
    [/^\/user\/?$/, function (p) { return usersIndex(p); }, true],
    [/^\/user\/(\d+)\/edit$/, function (p, m) { return userEdit(p, m[1]); }, true],
    [/^\/user\/group\/?$/, function (p) { return groupsIndex(p); }, true],
    [/^\/user\/role\/?$/, function (p) { return rolesIndex(p); }, true],
    [/^\/user\/role\/create$/, function (p) { return roleForm(p, '/user/role/create'); }, true],
    [/^\/user\/role\/update\/(\d+)$/, function (p, m) { return roleForm(p, '/user/role/update/' + m[1]); }, true],
    [/^\/client\/?$/, function (p) { return clientsIndex(p); }, true]
  ];

  // Hooks for the scripts of later generations (v4/connections.js), loaded after this file and
  // before DOMContentLoaded: they may edit ROUTES and COLUMN in place.
  window.PimSim = {
    all: all, one: one, esc: esc, html: html, request: request, notify: notify, hashMask: hashMask,
    maskHtml: maskHtml, closeModals: closeModals, breadcrumbs: breadcrumbs, column: column,
    indexPage: indexPage, setHeaderTab: setHeaderTab, mount: mount, COLUMN: COLUMN, ROUTES: ROUTES,
    systemHome: null,
    /** Counts a request made without `request()` in `$.active` (+1 at start, -1 at the end). */
    track: function (delta) { active += delta; }
  };
  // 2.x (v2/app.js): the grid, the role form injector and the not-found page.
  window.PimSim.Grid = Grid;
  window.PimSim.injectRoleForm = injectRoleForm;
  window.PimSim.notFound = notFound;

  var routed = false;
  function route() {
    var path = location.hash.replace(/^#/, '');
    var mine = ++seq;
    closeModals();
    hashMask(true);
    var handler = null, match = null, system = true;
    ROUTES.some(function (r) {
      var m = r[0].exec(path);
      if (m) { handler = r[1]; match = m; system = r[2]; }
      return !!m;
    });
    // 4.x+ (v4/shell.js): their own menus.
    ((window.PimSim && window.PimSim.headerTab) || setHeaderTab)(system, path);
    // flash-late: what the previous page said shows now (the first route after a load keeps
    // the load's own flashes for the next page).
    if (routed) { lateFlashes.splice(0).forEach(function (f) { notify(f[0], f[1], true); }); }
    routed = true;
    var loading = handler ? handler(path, match) : Promise.resolve(notFound(path));
    loading.then(function (render) {
      if (mine !== seq) { return null; }
      return render();
    }).then(function () {
      if (mine === seq) { hashMask(false); }
    }, function (e) {
      if (window.console) { console.error(e); }
      if (mine === seq) { hashMask(false); }
    });
  }

  /**
   * App boot (pim-app.js, config-provider.js), before the first route renders. 3.2:
   * `/js/extensions.json` ∥ `/rest/security/` → `/rest/security/` ∥ `/rest/user/` ∥
   * `/localization/format/date` → `/js/translation/en_US.js`; 7.0: `/js/extensions.json` ∥
   * `/rest/security/` ∥ `/configuration/feature-flags` → `/localization/format/date` ∥
   * `/rest/user/` → `/js/translation/en_US.js`. Then the Help menu's `/analytics/collect_data`
   * (not awaited). The router's loading mask stays up meanwhile.
   */
  function boot() {
    var get = function (u) { return request('GET', u); };
    var both = function (urls) { return function () { return Promise.all(urls.map(get)); }; };
    var v7 = parseInt(window.PIM_VERSION || '3', 10) >= 7;
    var chain = v7 ?
      both(['/js/extensions.json', '/rest/security/', '/configuration/feature-flags'])()
        .then(both(['/localization/format/date', '/rest/user/'])) :
      both(['/js/extensions.json', '/rest/security/'])()
        .then(both(['/rest/security/', '/rest/user/', '/localization/format/date']));
    return chain.then(function () { return get('/js/translation/en_US.js'); })
      .then(function () { get('/analytics/collect_data'); });
  }

  var booted = null;
  function start() {
    if (booted) { return; }
    booted = boot().then(function () {
      // The menu is a form extension: rendered once the app has booted (3.x shell).
      var menu = one('template#pim-menu');
      if (menu) { menu.parentNode.replaceChild(menu.content, menu); }
      (window.flashMessages || []).forEach(function (f) { notify(f.type, f.message); });
      window.flashMessages = [];
      window.addEventListener('hashchange', route);
      route();
    });
  }
  document.addEventListener('DOMContentLoaded', start);
  if (document.readyState !== 'loading') { start(); }
}());
