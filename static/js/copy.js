// The copy button next to a secret shown once: copies the text of the element named by
// data-copy-target and says whether it worked. Without this script the key can still be
// selected and copied by hand.
(function () {
  "use strict";

  function fallbackCopy(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function report(button, copied) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) {
      status.textContent = copied ? button.dataset.copiedLabel : button.dataset.failedLabel;
    }
  }

  function copy(button) {
    var target = document.getElementById(button.dataset.copyTarget);
    if (!target) { return; }
    var text = target.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(button, true); },
        function () { report(button, fallbackCopy(target)); }
      );
    } else {
      report(button, fallbackCopy(target));
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) { copy(button); }
  });
})();
