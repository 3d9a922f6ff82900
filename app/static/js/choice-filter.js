/* Cascading selects whose filter reads answers of the same page (XLSForm's choice_filter, app/questions/choices.py):
   the options that do not fit the answers given so far are hidden, disabled and unchecked. Loaded before
   conditions.js, only by the pages that hold such a question (data-choice-filter: the filter's tree; data-choice: an
   option's choices-sheet columns, a list for a code listed under several parents); conditions.js calls it on every
   change. The server applies the same filter when the page is sent. */
(function () {
  'use strict';
  function filterChoices(isTrue, w, list, ans, code) {
    var tree, opts = w.querySelectorAll('[data-choice]'), got = [], changed, i, r, o, rows, ok, a, k;
    try { tree = JSON.parse(list.getAttribute('data-choice-filter')); } catch (e) { return; }
    for (i = 0; i < opts.length; i++) {
      o = opts[i]; ok = false;
      try { rows = [].concat(JSON.parse(o.getAttribute('data-choice'))); } catch (e) { rows = [{}]; }
      for (r = 0; r < rows.length && !ok; r++) {
        a = Object.assign(Object.create(null), ans, {'__choice.name': o.value});
        for (k in rows[r]) a['__choice.' + k] = rows[r][k];
        ok = isTrue(tree, a);
      }
      (o.tagName === 'OPTION' ? o : o.parentNode).hidden = o.disabled = !ok;
      if (!ok && (o.checked || o.selected)) { o.checked = o.selected = false; changed = true; }
      if (ok && (o.checked || o.selected)) got.push(o.value);
    }
    if (changed) ans[code] = got.length ? (w.querySelector('[type=checkbox]') ? got : got[0]) : null;
  }

  if (typeof module !== 'undefined' && module.exports) module.exports = filterChoices;
  if (typeof window !== 'undefined') window.ConcertoChoiceFilter = filterChoices;
})();
