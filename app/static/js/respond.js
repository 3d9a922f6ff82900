/* Respondent pages: after a refused submission, move the focus to the error summary (role=alert) so that a
   screen reader announces it and Tab goes on to its links. The page works the same without this file. */
(function () {
  'use strict';
  function init() {
    var summary = document.getElementById('error-summary');
    if (summary && document.activeElement !== summary) summary.focus();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
