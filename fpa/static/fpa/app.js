/* Behaviour shared by every page. Pages carry no inline script or on* attribute (the
   Content-Security-Policy refuses them, docs/architecture.md "No inline script"); they mark
   elements with data- attributes and this file acts on them:
     data-fpa-print        a button that prints the page
     data-fpa-copy="#id"   a button that copies the text of element #id to the clipboard (where
                           the browser allows it: secure origins; elsewhere it selects the text
                           for a long-press copy) and then shows its data-fpa-copied text
     data-fpa-autosubmit   a control that submits its form when changed
     data-fpa-once         a button disabled once clicked (after htmx has sent its request)
     data-fpa-width="N"    an element whose width is N percent (progress bars; a style=""
                           attribute would be refused by the policy)
     data-fpa-confirm="…"  on a form or its submit button: a decision that cannot be taken
                           back; the text says what will happen, and the form is sent only
                           when the user confirms
   Lists on a phone: below 576 px every table.table in <main> shows each row as a card
   (app.css, "Lists on a phone"); this file labels each cell with its column's header
   (data-label, from every header row, so "死亡 · 人数" for a grouped header). A table that
   must stay a grid carries data-fpa-keep-table.
   The association picker: a select[data-fpa-picker] whose options carry data-path, data-kind
   and data-search (fpa/organizations/pickers.py) gets, when it is long, a township select (the
   cascade: only that township's units stay) and a search box (name, pinyin or initials).
   Content swapped in by htmx is handled too (htmx.onLoad). */
(function () {
  "use strict";

  function setWidths(root) {
    var elements = root.querySelectorAll ? root.querySelectorAll("[data-fpa-width]") : [];
    if (root.matches && root.matches("[data-fpa-width]")) {
      elements = [root].concat(Array.prototype.slice.call(elements));
    }
    Array.prototype.forEach.call(elements, function (el) {
      var value = parseFloat(el.getAttribute("data-fpa-width"));
      if (!isNaN(value)) {
        el.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }

  function headerLabels(table) {
    /* The label of each column: the texts of the header cells above it, rowspan and colspan
       followed, joined with " · " (a column under a grouped header keeps the group's name). */
    var grid = [];
    var rows = table.tHead ? table.tHead.rows : [];
    Array.prototype.forEach.call(rows, function (row, r) {
      grid[r] = grid[r] || [];
      var c = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        while (grid[r][c] !== undefined) { c += 1; }
        var text = cell.textContent.replace(/\s+/g, " ").trim();
        for (var i = 0; i < (cell.rowSpan || 1); i += 1) {
          grid[r + i] = grid[r + i] || [];
          for (var j = 0; j < (cell.colSpan || 1); j += 1) { grid[r + i][c + j] = text; }
        }
        c += cell.colSpan || 1;
      });
    });
    var labels = [];
    grid.forEach(function (row) {
      row.forEach(function (text, c) {
        labels[c] = labels[c] || [];
        if (text && labels[c][labels[c].length - 1] !== text) { labels[c].push(text); }
      });
    });
    return labels.map(function (parts) { return parts.join(" · "); });
  }

  function labelCells(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table.table") : [];
    if (root.matches && root.matches("table.table")) { tables = [root]; }
    if (!tables.length && root.closest) {
      var table = root.closest("table.table");  /* rows swapped into a table's body */
      if (table) { tables = [table]; }
    }
    Array.prototype.forEach.call(tables, function (table) {
      if (table.hasAttribute("data-fpa-keep-table")) { return; }
      var labels = headerLabels(table);
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var c = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (labels[c] && (cell.colSpan || 1) === 1 && !cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", labels[c]);
            }
            c += cell.colSpan || 1;
          });
        });
      });
    });
  }

  function pickers(root) {
    var selects = root.querySelectorAll ? root.querySelectorAll("select[data-fpa-picker]") : [];
    Array.prototype.forEach.call(selects, function (select) {
      if (select.hasAttribute("data-fpa-picker-ready") || select.disabled) { return; }
      var options = Array.prototype.filter.call(select.options, function (o) {
        return o.hasAttribute("data-path");
      });
      if (options.length < 12) { return; }
      select.setAttribute("data-fpa-picker-ready", "");
      var tools = document.createElement("div");
      tools.className = "d-flex gap-1 mb-1 fpa-picker-tools";
      var townships = options.filter(function (o) { return o.getAttribute("data-kind") === "township"; });
      var cascade = null;
      if (townships.length > 1) {
        cascade = document.createElement("select");
        cascade.className = "form-select form-select-sm";
        cascade.setAttribute("aria-label", select.getAttribute("data-fpa-picker-all"));
        cascade.add(new Option(select.getAttribute("data-fpa-picker-all"), ""));
        townships.forEach(function (o) { cascade.add(new Option(o.text, o.getAttribute("data-path"))); });
        tools.appendChild(cascade);
      }
      var search = document.createElement("input");
      search.type = "search";
      search.className = "form-control form-control-sm";
      search.placeholder = select.getAttribute("data-fpa-picker-search");
      search.setAttribute("aria-label", search.placeholder);
      tools.appendChild(search);
      select.parentNode.insertBefore(tools, select);

      function narrow() {
        var prefix = cascade ? cascade.value : "";
        var words = search.value.toLowerCase().replace(/\s+/g, " ").trim().split(" ").filter(Boolean);
        var shown = [];
        options.forEach(function (o) {
          var haystack = o.getAttribute("data-search") + " " + o.text.toLowerCase();
          var visible = (!prefix || o.getAttribute("data-path").indexOf(prefix) === 0) &&
            words.every(function (w) { return haystack.indexOf(w) !== -1; });
          o.hidden = !visible;
          if (visible) { shown.push(o); }
        });
        if (shown.length === 1 && select.value !== shown[0].value) {
          select.value = shown[0].value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
      search.addEventListener("input", narrow);
      if (cascade) { cascade.addEventListener("change", narrow); }
      /* the tools only narrow the list: a form that reloads on change (hx-trigger) hears the
         chosen unit, never the cascade or the search box themselves */
      tools.addEventListener("change", function (event) { event.stopPropagation(); });
    });
  }

  function copyText(button) {
    var source = document.querySelector(button.getAttribute("data-fpa-copy"));
    if (!source) { return; }
    var done = function () {
      var copied = button.getAttribute("data-fpa-copied");
      if (copied) { button.textContent = copied; }
    };
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(done, select);
    } else {
      select();
    }
  }

  function onLoad(root) {
    setWidths(root);
    labelCells(root);
    pickers(root);
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-fpa-print]")) {
      window.print();
      return;
    }
    var copy = target.closest("[data-fpa-copy]");
    if (copy) {
      copyText(copy);
      return;
    }
    var once = target.closest("[data-fpa-once]");
    if (once) {
      once.disabled = true;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form) { return; }
    var button = event.submitter instanceof Element ? event.submitter : null;
    var source = button && button.hasAttribute("data-fpa-confirm") ? button : form;
    var text = source.getAttribute("data-fpa-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.matches("[data-fpa-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  if (window.htmx) {
    window.htmx.onLoad(onLoad);
  } else {
    document.addEventListener("DOMContentLoaded", function () { onLoad(document); });
  }
})();
