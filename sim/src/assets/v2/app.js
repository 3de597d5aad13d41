/*
 * Akeneo PIM 2.x on top of the shared SPA (v3/app.js, loaded first): what 2.x does differently.
 * - Users: the grid's "Create user" is a pim/common/redirect button to #/user/create, where
 *   pim/controller/form injects the Twig fragment of GET /user/create (form pim_user_user_form)
 *   and ajaxSubmits it; the XHR follows the 302 of a successful creation, so the edit form of the
 *   new user is injected while the hash stays #/user/create. #/user/update/{id}
 *   (pim/controller/user) reloads the whole page after a successful save.
 * - Menu "Groups" (3.x: "User groups"); grids' empty title "No records found".
 * - The older bootstrap-modal chrome: div.modal.modal--fullPage, .modal-header h3, footer
 *   .modal-footer with a.cancel / a.ok.
 * The role form (oro_user_role_form, #rights-api, #users) is served by the server.
 */
(function () {
  'use strict';
  var S = window.PimSim;
  if (!S || window.PIM_VERSION !== '2') { return; }
  var one = S.one, esc = S.esc;
  if (window.PimTwig) { window.PimTwig.wrapJQuery(); }

  S.COLUMN.forEach(function (block) {
    block[1].forEach(function (item) {
      if (item[0] === 'pim-menu-system-user-group') { item[2] = 'Groups'; }
      if (item[0] === 'pim-menu-system-user-user') { item[3] = /^\/user\/(create|update\/\d+)?$/; }
    });
  });
  S.noDataTitle = 'No records found';
  S.errorIcon = '<i class="icon-warning-sign"></i>';

  /** Backbone.BootstrapModal as 2.x renders the creation popins and confirmations. */
  S.modal = function (opts) {
    var el = S.html('<div class="modal modal--fullPage" tabindex="-1">' +
      '<div class="modal-header"><a class="close cancel">&times;</a><h3>' + esc(opts.title) + '</h3></div>' +
      '<div class="AknFullPage AknFullPage--modal"><div class="AknFullPage-content AknFullPage-content--withIllustration">' +
      '<div><img class="AknFullPage-image" src="' + opts.picture + '" alt=""/></div><div>' +
      '<div class="AknFullPage-titleContainer"><div class="AknFullPage-subTitle">' + esc(opts.subTitle) + '</div>' +
      '<div class="AknFullPage-title">' + esc(opts.title) + '</div></div>' +
      (opts.description ? '<div class="AknFullPage-description">' + esc(opts.description) + '</div>' : '') +
      '<div class="modal-body ' + (opts.bodyClass || 'creation') + '">' + (opts.body || '') + '</div>' +
      '</div></div></div>' +
      '<div class="AknButtonList AknButtonList--right modal-footer">' +
      '<a href="javascript:void(0)" class="AknButton AknButton--grey AknButtonList-item cancel">' + esc(opts.cancelText || 'Cancel') + '</a>' +
      '<a href="javascript:void(0)" class="AknButtonList-item AknButton ' + (opts.okClass || 'AknButton--apply') + ' ok">' +
      esc(opts.okText || 'Save') + '</a></div></div>');
    document.body.appendChild(el);
    S.all('.cancel', el).forEach(function (c) {
      c.addEventListener('click', function () { if (el.parentNode) { el.parentNode.removeChild(el); } });
    });
    return el;
  };

  function page(path) {
    return S.mount('<div class="AknDefault-contentWithColumn">' + S.column(path) +
      '<div class="AknDefault-contentWithBottom"><div class="AknDefault-mainContent"></div></div></div>');
  }

  /** pim/controller/form (and pim/controller/user when `update`): inject, enhance, ajaxSubmit. */
  function injectUserForm(target, fragment, update) {
    if (window.PimTwig) { window.PimTwig.closeDrop(); }
    target.innerHTML = fragment;
    var form = one('#pim_user_user_form', target);
    if (!form) { return; }
    var title = one('.AknTitleContainer-title', target);
    if (title) { document.title = title.textContent; }
    if (window.PimTwig) { window.PimTwig.enhance(target); }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      S.hashMask(true);
      S.request('POST', form.getAttribute('action'), new FormData(form)).then(function (r) {
        if (r.json && r.json.route) {
          location.hash = '#' + (r.json.route === 'oro_user_update' ? '/user/update/' + r.json.params.id : '/');
          return;
        }
        if (r.status === 200) {
          if (update && r.text.indexOf('validation-tooltip') < 0) { location.reload(); return; }
          injectUserForm(target, r.text, update);
        } else {
          S.notify('error', 'An error occurred while saving the user.');
        }
        S.hashMask(false);
      });
    });
  }

  function userForm(path, url, update) {
    document.title = 'Users';
    return S.request('GET', url).then(function (r) {
      return function () {
        if (r.status !== 200) { return S.notFound(path)(); }
        injectUserForm(one('.AknDefault-mainContent', page(path)), r.text, update);
      };
    });
  }

  function usersIndex(path) {
    document.title = 'Users';
    return Promise.resolve(function () {
      var v = S.mount(S.indexPage({
        path: path, crumbs: [['System', '#/client'], ['Users', '#/user/']], title: 'Users',
        buttons: '<button class="AknButton AknButton--apply">Create user</button>',
        content: '<div id="grid-pim-user-grid" data-type="datagrid"></div>'
      }));
      one('[data-drop-zone="buttons"] .AknButton--apply', v).addEventListener('click', function () { location.hash = '#/user/create'; });
      var grid = new S.Grid(one('#grid-pim-user-grid', v), {
        name: 'pim-user-grid', entityHint: 'user',
        columns: [{ name: 'username', label: 'Username' }, { name: 'firstName', label: 'First name' },
          { name: 'lastName', label: 'Last name' }, { name: 'email', label: 'Email' }, { name: 'roles', label: 'Roles' }],
        rowClick: function (row) { location.hash = '#/user/update/' + row.id; },
        onLoad: function (total) { one('.AknTitleContainer-title', v).textContent = total + ' user' + (total === 1 ? '' : 's'); }
      });
      return grid.loadFirst();
    });
  }

  // Routes: 2.x has no #/user/{id}/edit; it has #/user/create and #/user/update/{id}.
  for (var i = S.ROUTES.length - 1; i >= 0; i--) {
    var src = S.ROUTES[i][0].source;
    if (src === '^\\/user\\/(\\d+)\\/edit$') { S.ROUTES.splice(i, 1); }
    else if (src === '^\\/user\\/?$') { S.ROUTES[i] = [S.ROUTES[i][0], function (p) { return usersIndex(p); }, true]; }
  }
  S.ROUTES.unshift(
    [/^\/user\/create$/, function (p) { return userForm(p, '/user/create', false); }, true],
    [/^\/user\/update\/(\d+)$/, function (p, m) { return userForm(p, '/user/update/' + m[1], true); }, true]
  );
}());
