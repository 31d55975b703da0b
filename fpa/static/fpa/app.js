/* Behaviour shared by every page. Pages carry no inline script or on* attribute (the
   Content-Security-Policy refuses them, docs/architecture.md "No inline script"); they mark
   elements with data- attributes and this file acts on them:
     data-fpa-print        a button that prints the page
     data-fpa-autosubmit   a control that submits its form when changed
     data-fpa-once         a button disabled once clicked (after htmx has sent its request)
     data-fpa-width="N"    an element whose width is N percent (progress bars; a style=""
                           attribute would be refused by the policy)
     data-fpa-confirm="…"  on a form or its submit button: a decision that cannot be taken
                           back; the text says what will happen, and the form is sent only
                           when the user confirms
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

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-fpa-print]")) {
      window.print();
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
    window.htmx.onLoad(setWidths);
  } else {
    document.addEventListener("DOMContentLoaded", function () { setWidths(document); });
  }
})();
