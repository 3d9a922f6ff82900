/* Display conditions and computed values in the browser; the server decides anyway. Same rules (arithmetic and
   functions included) as app/builder/expressions.py.
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
  // Functions and arithmetic: the same rules as expressions.py (_number, _string, _call…); keep them identical.
  var DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/;
  var DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
  var MAX_REGEX_TEXT = 1000;
  function days(s) {
    var m = DATE.exec(s), p;
    if (!m) return NaN;
    p = m.slice(1).map(function (g) { return g ? parseInt(g, 10) : 0; });
    var d = new Date(Date.UTC(p[0], p[1] - 1, p[2]));
    if (d.getUTCFullYear() !== p[0] || d.getUTCMonth() !== p[1] - 1 || d.getUTCDate() !== p[2]) return NaN;
    if (p[0] < 100) return NaN;  // Date.UTC reads years 0-99 as 1900-1999; such dates are not answers
    return d.getTime() / 86400000 + (p[3] * 3600 + p[4] * 60 + p[5]) / 86400;
  }
  function number(v) {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return NUM.test(v) ? parseFloat(v) : DATE_ONLY.test(v.trim()) ? days(v) : NaN;
    if (Array.isArray(v) && v.length === 1) return number(v[0]);
    return NaN;
  }
  function string(v) {
    if (v == null) return '';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(text).join(' ');
    return '';
  }
  function empty(v) { return v == null || v === '' || (Array.isArray(v) && v.length === 0); }
  function arith(op, a, b) {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case 'div': return a / b;
    }
    return a % b;
  }
  function round(x, d) {
    if (!isFinite(x) || d !== d || Math.abs(d) > 20) return x;
    var f = Math.pow(10, Math.trunc(d));
    return Math.floor(x * f + 0.5) / f;
  }
  function numbers(vs) {
    var r = [];
    vs.forEach(function (v) { if (Array.isArray(v)) v.forEach(function (i) { r.push(number(i)); }); else r.push(number(v)); });
    return r;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function dateText(d) {
    if (!isFinite(d) || Math.abs(d) > 3000000) return '';
    var t = new Date(Math.floor(d) * 86400000);
    return String(t.getUTCFullYear()).padStart(4, '0') + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate());
  }
  function localIso(withTime) {
    var t = new Date(), s = t.getFullYear() + '-' + pad(t.getMonth() + 1) + '-' + pad(t.getDate());
    return withTime ? s + 'T' + pad(t.getHours()) + ':' + pad(t.getMinutes()) + ':' + pad(t.getSeconds()) : s;
  }
  function substring(s, start, len) {
    var chars = Array.from(s), first = isFinite(start) ? Math.floor(start + 0.5) : start, end;
    if (first !== first) return '';
    end = len === undefined ? Infinity : first + (isFinite(len) ? Math.floor(len + 0.5) : len);
    if (end !== end) return '';
    return chars.filter(function (c, i) { return first <= i + 1 && i + 1 < end; }).join('');
  }
  function formatDate(v, pattern) {
    var s = typeof v === 'number' ? dateText(v) : string(v), m = DATE.exec(s);
    if (!m) return '';
    var g = m.slice(1).map(function (x) { return x || '00'; });
    var parts = {Y: g[0], y: g[0].slice(-2), m: g[1], n: String(parseInt(g[1], 10)), d: g[2],
      e: String(parseInt(g[2], 10)), H: g[3], M: g[4], S: g[5], '%': '%'};
    return pattern.replace(/%([\s\S])/g, function (all, c) {
      return Object.prototype.hasOwnProperty.call(parts, c) ? parts[c] : all;
    });
  }
  function call(name, args, ans, cur) {
    var x = function (i) { return ev(args[i], ans, cur); }, v, s, p, i, n;
    if (name === 'if') return truthy(x(0)) ? x(1) : x(2);
    if (name === 'coalesce') { v = x(0); return empty(v) ? x(1) : v; }
    var vs = args.map(function (a) { return ev(a, ans, cur); });
    switch (name) {
      case 'concat': return vs.map(string).join('');
      case 'string-length': return Array.from(string(vs[0])).length;
      case 'string': return string(vs[0]);
      case 'number': return number(vs[0]);
      case 'int': n = number(vs[0]); return isFinite(n) ? Math.trunc(n) : n;
      case 'round': return round(number(vs[0]), vs.length > 1 ? number(vs[1]) : 0);
      case 'floor': return Math.floor(number(vs[0]));
      case 'ceiling': return Math.ceil(number(vs[0]));
      case 'abs': return Math.abs(number(vs[0]));
      case 'pow': n = Math.pow(number(vs[0]), number(vs[1])); return isFinite(n) || n !== n ? n : NaN;
      case 'sqrt': n = number(vs[0]); return n >= 0 ? Math.sqrt(n) : NaN;
      case 'sin': case 'cos': case 'tan': case 'asin': case 'acos': case 'atan': case 'exp': case 'log': case 'log10':
        return Math[name](number(vs[0]));
      case 'atan2': return Math.atan2(number(vs[0]), number(vs[1]));
      case 'exp10': return Math.pow(10, number(vs[0]));
      case 'pi': return Math.PI;
      case 'min': case 'max':
        n = numbers(vs);
        if (!n.length || n.some(function (k) { return k !== k; })) return NaN;
        return name === 'min' ? Math.min.apply(null, n) : Math.max.apply(null, n);
      case 'sum':
        if (!Array.isArray(vs[0])) return number(vs[0]);
        return numbers(vs).reduce(function (a, b) { return a + b; }, 0);
      case 'true': return true;
      case 'false': return false;
      case 'boolean': return truthy(vs[0]);
      case 'boolean-from-string': s = string(vs[0]); return s === 'true' || s === '1';
      case 'contains': return string(vs[0]).indexOf(string(vs[1])) >= 0;
      case 'starts-with': return string(vs[0]).startsWith(string(vs[1]));
      case 'ends-with': return string(vs[0]).endsWith(string(vs[1]));
      case 'substring': return substring(string(vs[0]), number(vs[1]), vs.length > 2 ? number(vs[2]) : undefined);
      case 'substring-before':
        s = string(vs[0]); i = s.indexOf(string(vs[1])); return i >= 0 ? s.slice(0, i) : '';
      case 'substring-after':
        s = string(vs[0]); p = string(vs[1]); i = s.indexOf(p); return i >= 0 ? s.slice(i + p.length) : '';
      case 'normalize-space': return string(vs[0]).split(/[ \t\n\r]+/).filter(Boolean).join(' ');
      case 'translate':
        s = Array.from(string(vs[1])); p = Array.from(string(vs[2])); var table = {};
        s.forEach(function (c, k) { if (!Object.prototype.hasOwnProperty.call(table, c)) table[c] = k < p.length ? p[k] : ''; });
        return Array.from(string(vs[0])).map(function (c) {
          return Object.prototype.hasOwnProperty.call(table, c) ? table[c] : c;
        }).join('');
      case 'regex':
        s = string(vs[0]);
        if (s.length > MAX_REGEX_TEXT) return false;
        try { return new RegExp(string(vs[1])).test(s); } catch (e) { return false; }
      case 'join':
        return vs.slice(1).reduce(function (all, v) { return all.concat(choices(v)); }, []).join(string(vs[0]));
      case 'selected-at':
        s = choices(vs[0]); n = number(vs[1]);
        return isFinite(n) && n >= 0 && n < s.length ? s[Math.trunc(n)] : '';
      case 'once': return vs[0];
      case 'uuid':
        return typeof crypto !== 'undefined' && crypto.randomUUID ? crypto.randomUUID()
          : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
            var r = Math.random() * 16 | 0; return (c === 'x' ? r : (r & 3 | 8)).toString(16);
          });
      case 'today': return localIso(false);
      case 'now': return localIso(true);
      case 'date':
        if (typeof vs[0] === 'number') return dateText(vs[0]);
        s = string(vs[0]); return DATE.test(s) && days(s) === days(s) ? s.slice(0, 10) : '';
      case 'decimal-time':
        p = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(string(vs[0]));
        if (!p) return NaN;
        n = [1, 2, 3].map(function (k) { return p[k] ? parseInt(p[k], 10) : 0; });
        return n[0] < 24 && n[1] < 60 && n[2] < 60 ? (n[0] * 3600 + n[1] * 60 + n[2]) / 86400 : NaN;
      case 'decimal-date-time': return typeof vs[0] === 'string' ? days(vs[0]) : number(vs[0]);
      case 'format-date': case 'format-date-time': return formatDate(vs[0], string(vs[1]));
    }
    throw new Error(name);
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
      case 'neg': return -number(x(1));
      case '+': case '-': case '*': case 'div': case 'mod': return arith(k, number(x(1)), number(x(2)));
      case 'call': return call(t[1], t.slice(2), ans, cur);
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

  // A computed value as the server stores it (calculate.py, calculated_text): nothing for NaN or an empty text.
  function calculated(v) {
    if (v == null || (typeof v === 'number' && v !== v)) return '';
    return string(v).slice(0, 5000);
  }

  // In page order, so that a hidden question counts as unanswered for the next ones, and a computed value
  // (data-calculate) is there for the questions after it.
  function apply(form) {
    var ans = answersFromForm(form), ws = form.querySelectorAll('[data-question]');
    for (var i = 0; i < ws.length; i++) {
      var w = ws[i], json = w.getAttribute('data-relevant'), show = true, code = w.getAttribute('data-question');
      if (json) {
        try { show = isTrue(JSON.parse(json), ans); } catch (e) { /* unreadable: the server decides */ }
        w.hidden = !show;
        if (!show) ans[code] = null;
      }
      var calc = w.querySelector ? w.querySelector('[data-calculate]') : null, v = '';
      if (calc) {
        if (show) { try { v = calculated(evaluate(JSON.parse(calc.getAttribute('data-calculate')), ans)); } catch (e) { v = ''; } }
        calc.value = v;
        ans[code] = v === '' ? null : v;
        w.hidden = true;
      }
      var list = w.querySelector ? w.querySelector('[data-choice-filter]') : null; // choice-filter.js
      if (list && show && typeof ConcertoChoiceFilter === 'function') ConcertoChoiceFilter(isTrue, w, list, ans, code);
    }
    pipe(form, ans);
  }

  // ${code} in labels and hints (<span data-pipe="code">, written by the server): the answer as typed so far.
  function pipe(form, ans) {
    var spans = form.ownerDocument && form.querySelectorAll ? form.querySelectorAll('[data-pipe]') : [];
    for (var i = 0; i < spans.length; i++) {
      var k = spans[i].getAttribute('data-pipe');
      if (Object.prototype.hasOwnProperty.call(ans, k)) spans[i].textContent = calculated(ans[k]);
    }
  }

  function init() {
    var forms = document.querySelectorAll('form');
    for (var i = 0; i < forms.length; i++) {
      if (!forms[i].querySelector('[data-relevant], [data-calculate], [data-pipe], [data-choice-filter]')) continue;
      var run = apply.bind(null, forms[i]);
      forms[i].addEventListener('input', run);
      forms[i].addEventListener('change', run);
      run();
    }
  }

  var api = { evaluate: evaluate, isTrue: isTrue, answersFromForm: answersFromForm, apply: apply, calculated: calculated };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  if (typeof window !== 'undefined') {
    window.ConcertoConditions = api;
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
  }
})();
