/*
 * The type-ahead picker (core/picker.py renders the form it starts from).
 *
 * Turns each [data-picker] into GOV.UK's accessible-autocomplete (vendored) with the
 * chosen items as tags: each tag carries a hidden input (name=id), so the form posts
 * exactly what the no-JavaScript fallback posts. Choosing only ever adds (or, for a
 * single choice, replaces); an item goes only by its own "Remove <name>" button.
 * Additions and removals are announced in a polite live region.
 *
 * Enter in the box never submits the form: with an option highlighted it chooses
 * that option (the library does it); otherwise it looks up the exact text typed, as
 * a barcode scanner types an asset tag and presses Enter, and adds the one match.
 */
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function Picker(root) {
    this.root = root;
    this.url = root.dataset.url;
    this.name = root.dataset.name;
    this.inputId = root.dataset.inputId;
    this.multiple = root.hasAttribute("data-multiple");
    this.noun = root.dataset.noun || "item";
    this.plural = root.dataset.plural || "items";
    this.exact = root.dataset.exact || "";
    this.timer = null;
    this.controller = null;
    var list = root.querySelector("[data-picker-chosen]");
    this.chosen = Array.prototype.map.call(list.querySelectorAll("[data-id]"), function (li) {
      return { id: li.dataset.id, label: li.dataset.label, hint: li.dataset.hint || "" };
    });
    root.querySelectorAll("[data-picker-fallback]").forEach(function (node) {
      node.remove();
    });
    list.remove();
    this.build();
  }

  Picker.prototype.build = function () {
    var self = this;
    var box = el("div", { class: "picker__input" });
    this.root.appendChild(box);
    this.tags = el("ul", { class: "picker__tags", "aria-label": "Chosen " + this.plural });
    this.root.appendChild(this.tags);
    this.live = el("div", { class: "visually-hidden", "aria-live": "polite", "aria-atomic": "true" });
    this.root.appendChild(this.live);
    this.root.classList.add("picker--ready");

    window.accessibleAutocomplete({
      element: box,
      id: this.inputId,
      name: "",
      minLength: 1,
      autoselect: false,
      confirmOnBlur: false,
      displayMenu: "inline",
      showNoOptionsFound: true,
      source: function (query, populate) {
        self.search(query, populate);
      },
      templates: {
        // Choosing clears the box for the next name; the choice shows as a tag.
        inputValue: function () {
          return "";
        },
        suggestion: function (option) {
          if (!option || typeof option === "string") return escapeHtml(option);
          return (
            (option.group ? '<span class="picker__group">' + escapeHtml(option.group) + "</span> " : "") +
            escapeHtml(option.label) +
            (option.hint ? ' <span class="picker__hint">' + escapeHtml(option.hint) + "</span>" : "")
          );
        },
      },
      onConfirm: function (option) {
        if (option && typeof option === "object") self.add(option);
      },
      tNoResults: function () {
        return "No " + self.plural + " found";
      },
      tStatusQueryTooShort: function () {
        return "Type part of the name to search for " + self.plural;
      },
    });
    this.input = document.getElementById(this.inputId);
    // Keep the field's hint and error linked to the new box.
    var described = this.root.dataset.describedby;
    if (described) this.input.setAttribute("aria-describedby", described);
    box.addEventListener("keydown", function (event) {
      self.onKeydown(event);
    }, true);
    this.render();
  };

  Picker.prototype.isChosen = function (id) {
    id = String(id);
    return this.chosen.some(function (item) {
      return item.id === id;
    });
  };

  Picker.prototype.fetch = function (query, exact) {
    // A search in flight is dropped for a newer one; an Enter look-up never is.
    var signal;
    if (!exact) {
      if (this.controller) this.controller.abort();
      this.controller = new AbortController();
      signal = this.controller.signal;
    }
    var address = this.url + "?q=" + encodeURIComponent(query) + (exact ? "&exact=1" : "");
    return fetch(address, {
      signal: signal,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    });
  };

  Picker.prototype.search = function (query, populate) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      self
        .fetch(query, false)
        .then(function (data) {
          populate(
            data.results
              .filter(function (row) {
                return !self.isChosen(row.id);
              })
              .map(function (row) {
                return { id: String(row.id), label: row.label, hint: row.hint || "", group: row.group || "" };
              })
          );
        })
        .catch(function () {});
    }, 120);
  };

  Picker.prototype.clearInput = function () {
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.input.value = "";
    // Tell the library, so it closes the menu and forgets the query.
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
  };

  Picker.prototype.onKeydown = function (event) {
    if (event.key !== "Enter" || event.target !== this.input) return;
    if (this.root.querySelector(".autocomplete__option--focused")) return; // the library chooses it
    event.preventDefault();
    event.stopPropagation();
    var query = this.input.value.trim();
    if (!query) return;
    var self = this;
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
    this.fetch(query, true)
      .then(function (data) {
        if (data.results.length === 1) return data.results;
        return self.exact ? [] : self.fetch(query, false).then(function (d) {
          return d.results.length === 1 ? d.results : null;
        });
      })
      .then(function (rows) {
        if (rows && rows.length === 1) {
          var row = rows[0];
          self.clearInput();
          self.add({ id: String(row.id), label: row.label, hint: row.hint || "" });
        } else if (rows === null) {
          self.say("More than one " + self.noun + " matches “" + query + "”: choose one from the list.");
        } else {
          self.say("No " + self.noun + " has the " + (self.exact || "name") + " “" + query + "”.");
        }
      })
      .catch(function () {});
  };

  Picker.prototype.say = function (text) {
    // Cleared first so the same words twice are still announced.
    var live = this.live;
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
  };

  Picker.prototype.count = function () {
    var n = this.chosen.length;
    if (!this.multiple) return "";
    return " " + n + " " + (n === 1 ? this.noun : this.plural) + " chosen.";
  };

  Picker.prototype.add = function (item) {
    if (this.isChosen(item.id)) {
      this.say(item.label + " is already chosen.");
      return;
    }
    var replaced = !this.multiple && this.chosen.length ? this.chosen[0] : null;
    this.chosen = this.multiple ? this.chosen.concat([item]) : [item];
    this.render();
    this.say((replaced ? replaced.label + " replaced by " : "") + item.label + " added." + this.count());
    this.root.dispatchEvent(new CustomEvent("picker:change", { bubbles: true }));
  };

  Picker.prototype.remove = function (id) {
    var index = -1;
    this.chosen.forEach(function (item, i) {
      if (item.id === id) index = i;
    });
    if (index < 0) return;
    var item = this.chosen[index];
    this.chosen.splice(index, 1);
    this.render();
    this.say(item.label + " removed." + this.count());
    // Focus the next tag's button (or the one before), else the box.
    var buttons = this.tags.querySelectorAll("button");
    var next = buttons[Math.min(index, buttons.length - 1)];
    (next || this.input).focus();
    this.root.dispatchEvent(new CustomEvent("picker:change", { bubbles: true }));
  };

  Picker.prototype.render = function () {
    var self = this;
    this.tags.textContent = "";
    this.tags.hidden = this.chosen.length === 0;
    this.chosen.forEach(function (item) {
      var li = el("li", { class: "picker__tag" });
      var text = el("span", { class: "picker__tag-label" }, item.label);
      if (item.hint) text.appendChild(el("span", { class: "picker__hint" }, " " + item.hint));
      var button = el("button", { type: "button", class: "picker__remove" });
      button.appendChild(el("span", { "aria-hidden": "true" }, "Remove"));
      button.appendChild(el("span", { class: "visually-hidden" }, "Remove " + item.label));
      button.addEventListener("click", function () {
        self.remove(item.id);
      });
      li.appendChild(text);
      li.appendChild(button);
      li.appendChild(el("input", { type: "hidden", name: self.name, value: item.id }));
      self.tags.appendChild(li);
    });
  };

  function start() {
    if (!window.accessibleAutocomplete || !window.fetch) return; // the fallback form still works
    document.querySelectorAll("[data-picker]").forEach(function (root) {
      if (!root.classList.contains("picker--ready")) new Picker(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
