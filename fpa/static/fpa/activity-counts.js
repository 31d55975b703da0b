/* The live total of an activity's participants (the hold and counts forms): every
   [data-fpa-participants] block sums its input[data-fpa-participant] boxes into its
   [data-fpa-participants-total] as they are typed. Full-width digits count as digits (the server
   folds them the same way); a box that is not a whole number is left out of the total. */
(function () {
  "use strict";

  function number(text) {
    var folded = String(text || "").replace(/[\uFF10-\uFF19]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xFF10 + 48);
    }).trim();
    return /^\d+$/.test(folded) ? parseInt(folded, 10) : 0;
  }

  function update(block) {
    var total = 0;
    block.querySelectorAll("input[data-fpa-participant]").forEach(function (input) {
      total += number(input.value);
    });
    var out = block.querySelector("[data-fpa-participants-total]");
    if (out) { out.textContent = String(total); }
  }

  function init(root) {
    (root.querySelectorAll ? root.querySelectorAll("[data-fpa-participants]") : []).forEach(function (block) {
      if (block.hasAttribute("data-fpa-participants-ready")) { return; }
      block.setAttribute("data-fpa-participants-ready", "");
      block.addEventListener("input", function () { update(block); });
      update(block);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
