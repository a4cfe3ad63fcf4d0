// Niceties for the menus in the page header. Everything works without this file: the
// site menu, its groups, the school switcher and the account menu are <details>.
// Here: Escape closes the open menu and puts focus back on its button; a click or
// focus outside closes it; opening one group closes the others in browsers without
// <details name>; the arrow keys move between a group's links; and on a wide screen
// in browsers without ::details-content the site menu is kept open (its "Menu" button
// is only for phones).
(function () {
  "use strict";

  var POPUPS = "details.nav-group, details.menu";
  var WIDE = window.matchMedia("(min-width: 60em)");

  function openPopups() {
    return Array.prototype.slice.call(document.querySelectorAll(POPUPS)).filter(function (d) {
      return d.open;
    });
  }

  function close(details, focusSummary) {
    details.open = false;
    if (focusSummary) {
      details.querySelector("summary").focus();
    }
  }

  function keepMenuOpenWhenWide() {
    if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) {
      return; // the stylesheet shows the menu on wide screens by itself
    }
    document.querySelectorAll("details[data-site-menu]").forEach(function (menu) {
      menu.classList.toggle("site-menu--wide", WIDE.matches);
      if (WIDE.matches) {
        menu.open = true;
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var inside = event.target.closest && event.target.closest(POPUPS);
      var target = inside && inside.open ? inside : openPopups().pop();
      if (target) {
        close(target, true);
        event.preventDefault();
        return;
      }
      var menu = event.target.closest && event.target.closest("details[data-site-menu]");
      if (menu && menu.open && !WIDE.matches) {
        close(menu, true);
      }
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    var group = event.target.closest && event.target.closest("details.nav-group, details.menu");
    if (!group) {
      return;
    }
    var links = Array.prototype.slice.call(group.querySelectorAll("ul a, ul button"));
    if (!links.length) {
      return;
    }
    if (event.target === group.querySelector("summary")) {
      if (event.key === "ArrowDown") {
        group.open = true;
        links[0].focus();
        event.preventDefault();
      }
      return;
    }
    var at = links.indexOf(event.target);
    if (at === -1) {
      return;
    }
    var next = event.key === "ArrowDown" ? at + 1 : at - 1;
    if (next < 0) {
      group.querySelector("summary").focus();
    } else if (next < links.length) {
      links[next].focus();
    }
    event.preventDefault();
  });

  function closeOutside(event) {
    openPopups().forEach(function (details) {
      if (!details.contains(event.target)) {
        close(details, false);
      }
    });
  }
  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);

  // Browsers without <details name>: opening a group closes the others.
  document.addEventListener(
    "toggle",
    function (event) {
      var opened = event.target;
      if (!opened.matches || !opened.matches("details.nav-group") || !opened.open) {
        return;
      }
      document.querySelectorAll("details.nav-group[open]").forEach(function (other) {
        if (other !== opened) {
          other.open = false;
        }
      });
    },
    true
  );

  keepMenuOpenWhenWide();
  if (WIDE.addEventListener) {
    WIDE.addEventListener("change", keepMenuOpenWhenWide);
  }
})();
