/* Display conditions in the browser; the server decides anyway. Same rules as app/builder/expressions.py.
   DOM: [data-question=name][data-relevant=to_json() tree] wrappers, inputs q_<name>, #prior-answers JSON. */
(function () {
  'use strict';
  var NUM = /^[ \t\n\r]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\n\r]*$/;

  function text(v) {
    return v == null ? '' : v === true ? 'yes' : v === false ? 'no' : String(v);
  }
  function scalar(v) { // text or number; null if it cannot be compared
    if (Array.isArray(v)) return v.map(text).join(' ');
    if (typeof v === 'number' || typeof v === 'string') return v;
    return v == null || typeof v === 'boolean' ? text(v) : null;
  }
  function choices(v) {
    if (Array.isArray(v)) return v.map(text);
    v = scalar(v);
    return v == null ? [] : String(v).split(/[ \t\n\r]+/).filter(Boolean);
  }
  function truthy(v) {
    if (typeof v === 'number') return v !== 0 && v === v;
    return typeof v === 'string' || Array.isArray(v) ? v.length > 0 : v === true;
  }
  function num(v) {
    return typeof v === 'number' ? v : NUM.test(v) ? parseFloat(v) : NaN;
  }
  function compare(op, a, b) {
    a = scalar(a); b = scalar(b);
    if (a == null || b == null) return false;
    if (typeof a === 'number' || typeof b === 'number') { a = num(a); b = num(b); }
    else if (op !== '=' && op !== '!=' && (a === '' || b === '')) return false;
    switch (op) {
      case '=': return a === b;
      case '!=': return a !== b;
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
    }
    throw new Error(op);
  }
  function ev(t, ans, cur) {
    var k = t[0], x = function (i) { return ev(t[i], ans, cur); };
    switch (k) {
      case 'ref': return Object.prototype.hasOwnProperty.call(ans, t[1]) ? ans[t[1]] : null;
      case 'self': return cur === undefined ? null : cur;
      case 'str': case 'num': return t[1];
      case 'and': return truthy(x(1)) && truthy(x(2));
      case 'or': return truthy(x(1)) || truthy(x(2));
      case 'not': return !truthy(x(1));
      case 'count-selected': return choices(x(1)).length;
      case 'selected': var c = scalar(x(2)); return c != null && choices(x(1)).indexOf(String(c)) >= 0;
    }
    return compare(k, x(1), x(2));
  }
  function evaluate(tree, answers, current) { // never throws: false on error
    try { return ev(tree, answers || {}, current); } catch (e) { return false; }
  }
  function isTrue(tree, answers, current) {
    return truthy(evaluate(tree, answers, current));
  }

  function answersFromForm(form) {
    var ans = Object.create(null), seen = Object.create(null);
    var prior = form.ownerDocument.getElementById('prior-answers');
    try { Object.assign(ans, prior && JSON.parse(prior.textContent)); } catch (e) { /* ignored */ }
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i], type = el.type, v = el.value, k = (el.name || '').slice(2), multi;
      if ((el.name || '').slice(0, 2) !== 'q_' || el.disabled) continue;
      multi = type === 'checkbox' || type === 'select-multiple';
      if (!seen[k]) { seen[k] = 1; ans[k] = multi ? [] : null; }
      if (type === 'select-multiple') {
        for (var j = 0; j < el.options.length; j++) if (el.options[j].selected) ans[k].push(el.options[j].value);
      } else if (multi || type === 'radio') {
        if (el.checked) { if (multi) ans[k].push(v); else ans[k] = v; }
      } else if (v !== '' && v != null) {
        ans[k] = type === 'number' && NUM.test(v) ? parseFloat(v) : v;
      }
    }
    return ans;
  }

  // In page order, so that a hidden question counts as unanswered for the next ones.
  function apply(form) {
    var ans = answersFromForm(form), ws = form.querySelectorAll('[data-question]');
    for (var i = 0; i < ws.length; i++) {
      var w = ws[i], json = w.getAttribute('data-relevant'), show = true;
      if (!json) continue;
      try { show = isTrue(JSON.parse(json), ans); } catch (e) { /* unreadable: the server decides */ }
      w.hidden = !show;
      if (!show) ans[w.getAttribute('data-question')] = null;
    }
  }

  function init() {
    var forms = document.querySelectorAll('form');
    for (var i = 0; i < forms.length; i++) {
      if (!forms[i].querySelector('[data-relevant]')) continue;
      var run = apply.bind(null, forms[i]);
      forms[i].addEventListener('input', run);
      forms[i].addEventListener('change', run);
      run();
    }
  }

  var api = { evaluate: evaluate, isTrue: isTrue, answersFromForm: answersFromForm, apply: apply };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  if (typeof window !== 'undefined') {
    window.ConcertoConditions = api;
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
  }
})();
