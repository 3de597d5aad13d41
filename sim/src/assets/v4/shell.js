/*
 * Akeneo PIM 4.x-7.x shell look-alike, loaded after v3/app.js and before connections.js
 * (fact sheet connect-4.x-to-7.x-dom.md §2, §5.6, §6):
 * - `PimSim.sc(name, css)`: styled-components-like classes, hashed anew at every simulator
 *   start (seed `window.STYLE_SALT`), injected in a `<style data-styled="active">`;
 * - the main menu: Backbone tabs `a.AknHeader-menuItem` + column `a.AknColumn-navigationLink`
 *   (4.x/5.x), React `PimNavigation` (`a[role=menuitem][data-testid=pim-main-menu-item]`,
 *   sub-menu `[role=menu][data-testid=pim-sub-menu]`) from 6.x;
 * - the Help link, built after `GET /analytics/collect_data`;
 * - flashes: legacy `.AknFlash` (4.x), design-system MessageBar `[role=status|alert]` (5.x+);
 * - System landing pages: `#/system/` Configuration (4.x/5.x), `#/system` IconCards (6.x+).
 */
(function () {
  'use strict';
  var S = window.PimSim;
  var V = parseInt(window.PIM_VERSION || '0', 10);
  if (!S || !(V >= 4)) { return; }
  var all = S.all, one = S.one, esc = S.esc, html = S.html;
  var REACT_MENU = V >= 6;
  var SALT = String(window.STYLE_SALT || Math.random());

  // ------------------------------------------------------------------ hashed classes
  function hash(str) {
    var h = 2166136261;
    for (var i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
    var out = '', alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (var j = 0; j < 6; j++) { out += alphabet[h % 52]; h = Math.floor(h / 52) + (j + 7) * 7919; }
    return out;
  }
  var styleTag = null, known = {};
  /** The two classes styled-components gives a component (`sc-<id> <hash>`); `css` is its rule body. */
  function sc(name, css) {
    if (!known[name]) {
      var cls = hash(SALT + ':' + name);
      known[name] = 'sc-' + hash(name + SALT) + ' ' + cls;
      if (!styleTag) {
        styleTag = document.createElement('style');
        styleTag.setAttribute('data-styled', 'active');
        styleTag.setAttribute('data-styled-version', '5.3.5');
        document.head.appendChild(styleTag);
      }
      if (css) { styleTag.appendChild(document.createTextNode(css.replace(/&/g, '.' + cls) + '\n')); }
    }
    return known[name];
  }
  S.sc = sc;

  var ICONS = {
    info: '<svg viewBox="0 0 24 24" width="16" height="16"><circle cx="12" cy="12" r="10" fill="none" stroke="currentColor"/><path d="M12 10v7M12 7v1" stroke="currentColor"/></svg>',
    error: '<svg viewBox="0 0 24 24" width="16" height="16"><path d="M12 3l10 18H2z" fill="none" stroke="currentColor"/><path d="M12 10v5M12 17v1" stroke="currentColor"/></svg>',
    success: '<svg viewBox="0 0 24 24" width="16" height="16"><path d="M4 12l5 5L20 6" fill="none" stroke="currentColor"/></svg>'
  };
  ICONS.warning = ICONS.error;
  S.ICONS = ICONS;
  var LEVEL_COLORS = { info: '#5992c7', warning: '#f9b53f', error: '#d4604f', success: '#67b373' };

  /** Design-system `Helper` (no role, no stable class): `div > span > svg` + `div` text. */
  S.helper = function (level, content, inline) {
    var color = LEVEL_COLORS[level] || LEVEL_COLORS.info;
    return '<div class="' + sc('Helper-' + level + (inline ? '-inline' : ''),
      '&{display:flex;align-items:' + (inline ? 'center' : 'flex-start') + ';gap:8px;font-size:' + (inline ? '11px' : '13px') +
      ';color:' + (level === 'error' ? color : '#11324d') + ';' + (inline ? 'margin-top:6px;' : 'padding:10px 12px;background:#f5f9fc;border-left:4px solid ' + color + ';') + '}') +
      '"><span class="' + sc('HelperIcon', '&{color:' + color + ';display:inline-flex;flex:0 0 16px;}') + '" style="color:' + color + '">' +
      (ICONS[level] || ICONS.info) + '</span><div class="' + sc('HelperText', '&{flex:1;}') + '">' + content + '</div></div>';
  };

  // ------------------------------------------------------------------ flashes
  if (V >= 5) {
    var DURATION = { success: 6000, info: 6000, warning: 6000, error: 9000 };
    S.notifyOverride = function (type, message) {
      var root = one('#flash-messages');
      if (!root) { return; }
      var level = type === 'error' ? 'error' : (type === 'warning' ? 'warning' : (type === 'info' ? 'info' : 'success'));
      var stack = one(':scope > div', root);
      if (!stack) {
        stack = html('<div class="' + sc('Notifications', '&{position:fixed;right:20px;bottom:20px;z-index:12000;display:flex;flex-direction:column;gap:10px;}') + '"></div>');
        root.appendChild(stack);
      }
      var seconds = Math.round(DURATION[level] / 1000);
      var bar = html('<div class="' + sc('MessageBarAnimation', '&{animation:none;}') + '"><div class="' +
        sc('MessageBar-' + level, '&{display:flex;align-items:center;gap:15px;width:400px;min-height:60px;padding:10px 15px;background:#fff;' +
          'box-shadow:0 2px 4px rgba(0,0,0,.3);border-left:4px solid ' + LEVEL_COLORS[level] + ';color:#11324d;outline:none;}') +
        '" role="' + (level === 'error' ? 'alert' : 'status') + '" tabindex="-1">' +
        '<div class="' + sc('MessageBarIcon', '&{display:flex;}') + '" aria-hidden="true" style="color:' + LEVEL_COLORS[level] + '">' + ICONS[level] + '</div>' +
        '<div class="' + sc('MessageBarContent', '&{flex:1;}') + '"><div class="' + sc('MessageBarTitle', '&{font-size:15px;}') + '">' + esc(message) + '</div></div>' +
        '<button type="button" class="' + sc('MessageBarClose', '&{border:0;background:none;cursor:pointer;color:#67768a;display:flex;align-items:center;gap:4px;}') +
        '" title="Close"><div aria-hidden="true">' + seconds + '</div>' + ICONS.info + '</button></div></div>');
      stack.appendChild(bar);
      var box = one('[role]', bar);
      // `useAutoFocus`: the bar takes the keyboard focus.
      box.focus();
      var left = DURATION[level], hovered = false;
      box.addEventListener('mouseenter', function () { hovered = true; });
      box.addEventListener('mouseleave', function () { hovered = false; });
      var timer = setInterval(function () {
        if (hovered) { return; }
        left -= 1000;
        var n = one('button > div', bar);
        if (n) { n.textContent = String(Math.max(0, Math.round(left / 1000))); }
        if (left <= 0) { close(); }
      }, 1000);
      function close() {
        clearInterval(timer);
        setTimeout(function () { if (bar.parentNode) { bar.parentNode.removeChild(bar); } }, 1000);
      }
      one('button[title="Close"]', bar).addEventListener('click', close);
    };
  }

  // ------------------------------------------------------------------ menus
  var HELP_TEXT = 'Help';
  var TABS = REACT_MENU ? [
    ['pim-menu-activity', '#/', 'Activity'], ['pim-menu-products', '#/enrich/product/', 'Products'],
    ['pim-menu-imports', '#/collect/import/', 'Imports'], ['pim-menu-exports', '#/spread/export/', 'Exports'],
    ['pim-menu-connect', '#/connect/data-flows', 'Connect'], ['pim-menu-settings', '#/configuration/', 'Settings'],
    ['pim-menu-system', '#/system', 'System']
  ] : [
    ['activity', '#/', 'Activity'], ['products', '#/enrich/product/', 'Products'], ['imports', '#/collect/import/', 'Imports'],
    ['exports', '#/spread/export/', 'Exports'], ['settings', '#/configuration/', 'Settings'], ['system', '#/system/', 'System']
  ];
  // 6.x+: sub-navigations, `[section, [[id, href, title, active path]]]`.
  var SUB = {
    'pim-menu-connect': [['Connect', [
      ['pim-menu-connect-connection-audit', '#/connect/data-flows', 'Data flows', /^\/connect\/data-flows/],
      ['pim-menu-connect-marketplace', V >= 7 ? '#/connect/app-store' : '#/connect/marketplace', V >= 7 ? 'App Store' : 'Marketplace', /^\/connect\/(app-store|marketplace)/],
      ['pim-menu-connect-connection-settings', '#/connect/connection-settings', 'Connection settings', /^\/connect\/connection-settings/],
      ['pim-menu-connect-connected-apps', '#/connect/connected-apps', V >= 7 ? 'Connected Apps' : 'Apps', /^\/connect\/connected-apps/]
    ]]],
    'pim-menu-system': [['System navigation', [
      ['pim-menu-system-configuration', '#/system/configuration', 'Configuration', /^\/system\/configuration/],
      ['pim-menu-system-info', '#/system_info', 'System information', /^\/system_info/]
    ]], ['Users management navigation', [
      ['pim-menu-system-user-user', '#/user/', 'Users', /^\/user\/(\d+\/edit)?$/],
      ['pim-menu-system-user-group', '#/user/group/', 'User groups', /^\/user\/group/],
      ['pim-menu-system-user-role', '#/user/role/', 'Roles', /^\/user\/role/]
    ]]]
  };
  var helpHref = null;
  function tabOf(system, path) {
    if (/^\/connect\//.test(path)) { return REACT_MENU ? 'pim-menu-connect' : 'system'; }
    if (/^\/?$/.test(path) || system === false) { return REACT_MENU ? 'pim-menu-activity' : 'activity'; }
    return REACT_MENU ? 'pim-menu-system' : 'system';
  }
  var ICON = '<svg viewBox="0 0 24 24" width="24" height="24"><rect x="4" y="4" width="16" height="16" rx="2" fill="none" stroke="currentColor"/></svg>';
  function helpLink() {
    return '<div class="AknHeader-menuItemContainer"><a' + (REACT_MENU ? ' id="pim-menu-help"' : '') +
      ' class="AknHeader-menuItem" title="Akeneo Help center" target="_blank" href="' + esc(helpHref) + '">' + HELP_TEXT + '</a></div>';
  }
  function backboneMenu(active) {
    return '<div class="AknHeader"><div class="AknHeader-logoContainer"><a class="AknHeader-logo" href="#/"><img src="/bundles/pimui/common/logo.svg" alt="Akeneo"/></a></div>' +
      '<div class="AknHeader-menu"><div class="AknHeader-menuBlock" data-drop-zone="mainMenu">' +
      TABS.map(function (t) {
        return '<div class="AknHeader-menuItemContainer"><a class="AknHeader-menuItem' + (t[0] === active ? ' AknHeader-menuItem--active' : '') +
          '" href="' + t[1] + '"><div><span class="AknHeader-menuItemImage AknHeader-menuItemIcon AknHeader-menuItemIcon--' + t[0] + '"></span></div>' + esc(t[2]) + '</a></div>';
      }).join('') + '</div><div class="AknHeader-menuBlock AknHeader-menuBlock--space"></div>' +
      '<div class="AknHeader-menuBlock" data-drop-zone="helpMenu">' + (helpHref ? helpLink() : '') + '</div></div></div>';
  }
  function collapsed(code) {
    try { return sessionStorage.getItem('collapsedColumn_' + code) === '1'; } catch (e) { return false; }
  }
  function reactMenu(active, path) {
    var items = TABS.map(function (t) {
      return '<a id="' + t[0] + '" role="menuitem" data-testid="pim-main-menu-item" href="' + t[1] + '" aria-disabled="false" class="' +
        sc('MainNavigationItem', '&{display:flex;flex-direction:column;align-items:center;gap:4px;padding:12px 0;color:#67768a;font-size:13px;text-decoration:none;}' +
          '&.active{color:#9452ba;}&:hover{color:#9452ba;}') + (t[0] === active ? ' active' : '') + '">' + ICON + '<span>' + esc(t[2]) + '</span></a>';
    }).join('');
    var sub = SUB[active];
    // The System landing page hides the sub-menu; Activity has none.
    var showSub = sub && !(active === 'pim-menu-system' && /^\/system\/?$/.test(path));
    var subMenu = '';
    if (showSub) {
      var closed = collapsed(active);
      subMenu = '<div role="menu" data-testid="pim-sub-menu" class="' + sc('SubNavigation', '&{display:flex;border-right:1px solid #e8ebee;background:#fff;position:relative;}') + '">' +
        '<div class="' + sc('SubNavigationPanel', '&{width:280px;padding:30px 20px;}&.collapsed{width:40px;}') + (closed ? ' collapsed' : '') + '"><div>' +
        (closed ? '' : '<div class="' + sc('SubNavigationContent', '&{display:flex;flex-direction:column;gap:20px;}') + '">' + sub.map(function (section) {
          return '<div><div class="' + sc('SubNavigationSectionTitle', '&{text-transform:uppercase;color:#a1a9b7;font-size:11px;margin-bottom:8px;}') + '">' + esc(section[0]) + '</div>' +
            section[1].map(function (it) {
              return '<a id="' + it[0] + '" role="menuitem" href="' + it[1] + '" class="' +
                sc('SubNavigationItem', '&{display:block;padding:8px 0;color:#11324d;}&.active{color:#9452ba;}') + (it[3].test(path) ? ' active' : '') + '"><div>' + esc(it[2]) + '</div></a>';
            }).join('') + '</div>';
        }).join('') + '<div class="subnavigation-additional-container"></div></div>') +
        '</div><button type="button" data-testid="open-subnavigation-button" title="' + (closed ? 'Open' : 'Close') + '" class="' +
        sc('SubNavigationToggle', '&{position:absolute;right:-12px;top:24px;width:24px;height:24px;border-radius:50%;border:1px solid #c7cbd4;background:#fff;cursor:pointer;}') +
        '">' + (closed ? '&rsaquo;' : '&lsaquo;') + '</button></div></div>';
    }
    return '<div class="AknHeader"><nav aria-label="Main navigation" class="' + sc('PimNavigation', '&{display:flex;height:100%;}') + '">' +
      '<div class="' + sc('MainNavigation', '&{width:80px;display:flex;flex-direction:column;border-right:1px solid #e8ebee;background:#fff;}') + '">' +
      '<div class="' + sc('LogoContainer', '&{height:80px;display:flex;align-items:center;justify-content:center;}') + '"><img src="/bundles/pimui/common/logo.svg" alt="Akeneo" width="40" height="40"/></div>' +
      '<div class="' + sc('MenuItems', '&{flex:1;}') + '">' + items + '</div>' +
      '<div class="' + sc('HelpContainer', '&{padding:10px 0;text-align:center;}') + '">' + (helpHref ? helpLink() : '') + '</div></div>' +
      subMenu + '</nav></div>';
  }
  var last = { system: true, path: '' };
  function renderMenu(system, path) {
    last = { system: system, path: path };
    var zone = one('[data-drop-zone="menu"]');
    if (!zone) { return; }
    var active = tabOf(system, path);
    zone.innerHTML = REACT_MENU ? reactMenu(active, path) : backboneMenu(active);
    var toggle = one('[data-testid="open-subnavigation-button"]', zone);
    if (toggle) {
      toggle.addEventListener('click', function () {
        try { sessionStorage.setItem('collapsedColumn_' + active, collapsed(active) ? '0' : '1'); } catch (e) { /* private mode */ }
        renderMenu(last.system, last.path);
      });
    }
  }
  S.headerTab = renderMenu;
  document.body.classList.add(REACT_MENU ? 'AknPim--reactMenu' : 'AknPim--backboneMenu');

  // Help: its href needs the version, from `GET /analytics/collect_data` (fired at boot).
  S.track(1);
  fetch('/analytics/collect_data', { credentials: 'include', headers: { 'X-Requested-With': 'XMLHttpRequest' } })
    .then(function (r) { return r.json(); })
    .then(function (d) {
      var major = String(d.pim_version || '').split('.')[0];
      helpHref = 'https://help.akeneo.com/pim/v' + major + '/index.html?utm_source=akeneo-app&utm_medium=interrogation-icon&utm_campaign=' +
        d.pim_edition + d.pim_version;
    }, function () { /* no Help link */ })
    .then(function () { renderMenu(last.system, last.path); setTimeout(function () { S.track(-1); }, 0); });

  // ------------------------------------------------------------------ System pages
  if (REACT_MENU) {
    S.columnOverride = function () { return ''; };
    var CARDS = [['System navigation', [['pim-system-configuration', 'Configuration', '#/system/configuration'], ['pim-system-info', 'System information', '#/system_info'],
      ['pim-system-catalog-volume', 'Catalog volume monitoring', '#/system/catalog-volume-monitoring']]],
      ['Users management navigation', [['pim-system-user-user', 'Users', '#/user/'], ['pim-system-user-group', 'User groups', '#/user/group/'],
        ['pim-system-user-role', 'Roles', '#/user/role/']]]];
    S.ROUTES.push([/^\/system\/?$/, function () {
      document.title = 'System';
      return Promise.resolve(function () {
        var v = S.mount('<div class="AknDefault-mainContent"><header class="' + sc('PageHeader', '&{padding:40px 40px 20px;}') + '">' +
          '<div class="AknTitleContainer-title">System menu</div></header><div class="' + sc('SystemIndex', '&{padding:0 40px;}') + '">' +
          CARDS.map(function (section) {
            return '<div class="' + sc('SectionTitle', '&{border-bottom:1px solid #11324d;margin:20px 0;}') + '"><h2 class="' +
              sc('SectionTitleText', '&{text-transform:uppercase;font-size:13px;color:#11324d;margin:0 0 8px;}') + '">' + esc(section[0]) + '</h2></div>' +
              '<div class="' + sc('IconCardGrid', '&{display:grid;grid-template-columns:repeat(3,260px);gap:20px;}') + '">' + section[1].map(function (card) {
                return '<div id="' + card[0] + '" data-href="' + card[2] + '" class="' + sc('IconCard', '&{display:flex;align-items:center;gap:15px;padding:15px;border:1px solid #e8ebee;cursor:pointer;color:#11324d;}&:hover{border-color:#9452ba;}') +
                  '">' + ICON + '<div><div>' + esc(card[1]) + '</div></div></div>';
              }).join('') + '</div>';
          }).join('') + '</div></div>');
        all('[data-href]', v).forEach(function (card) {
          var target = card.getAttribute('data-href');
          card.removeAttribute('data-href');
          card.addEventListener('click', function () { location.hash = target; });
        });
      });
    }, true]);
  } else {
    S.ROUTES.push([/^\/system\/?$/, function (p) {
      document.title = 'Configuration';
      return Promise.resolve(function () {
        S.mount(S.indexPage({ path: p, crumbs: [['System', '#/system/'], ['Configuration', '#/system/']], title: 'Configuration',
          content: '<div class="AknFormContainer">Loading... System configuration is not simulated.</div>' }));
      });
    }, true]);
  }
}());
